package dev.berth.kit;

/**
 * Where a service's PostgreSQL lives. Read from {@code <prefix>.host}, {@code .port},
 * {@code .name}, {@code .user}, {@code .password} and {@code .pool-size}; the defaults reach a
 * local PostgreSQL at 127.0.0.1:5432, database {@code berth}, user {@code postgres}.
 */
public record DatabaseConfig(
    String host, int port, String database, String user, String password, int poolSize) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5432;
  public static final String DEFAULT_DATABASE = "berth";
  public static final String DEFAULT_USER = "postgres";
  public static final int DEFAULT_POOL_SIZE = 8;

  public DatabaseConfig {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("database port must be 1..65535, got " + port);
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("database pool size must be at least 1, got " + poolSize);
    }
    password = password == null ? "" : password;
  }

  /** Reads {@code <prefix>.host/.port/.name/.user/.password/.pool-size}, e.g. prefix "registry.db". */
  public static DatabaseConfig from(Config c, String prefix) {
    return new DatabaseConfig(
        c.string(prefix + ".host", DEFAULT_HOST),
        c.integer(prefix + ".port", DEFAULT_PORT),
        c.string(prefix + ".name", DEFAULT_DATABASE),
        c.string(prefix + ".user", DEFAULT_USER),
        c.string(prefix + ".password", ""),
        c.integer(prefix + ".pool-size", DEFAULT_POOL_SIZE));
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** Keeps the password out of logs. */
  @Override
  public String toString() {
    return "DatabaseConfig[" + user + "@" + host + ":" + port + "/" + database
        + ", poolSize=" + poolSize + "]";
  }
}
