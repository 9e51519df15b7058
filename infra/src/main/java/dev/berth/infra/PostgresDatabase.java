package dev.berth.infra;

/** One database on a running PostgreSQL server, as handed to a test by {@link PostgresExtension}. */
public record PostgresDatabase(String host, int port, String database, String user, String password) {

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }
}
