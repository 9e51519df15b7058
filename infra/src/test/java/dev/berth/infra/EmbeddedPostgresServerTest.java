package dev.berth.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerTest {

  @TempDir
  Path tmp;

  @Test
  void dataSurvivesAStopAndStartOnTheSameDirectory() throws Exception {
    Path dataDir = tmp.resolve("pgdata");

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
      assertThat(server.port()).isPositive();
      assertThat(server.jdbcUrl("shop")).isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/shop");
      server.createDatabase("shop");
      server.createDatabase("shop"); // second call is a no-op
      try (Connection c = connect(server, "shop"); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE fruit (name text PRIMARY KEY)");
        s.execute("INSERT INTO fruit VALUES ('apple'), ('pear')");
      }
    }

    assertThat(dataDir.resolve("PG_VERSION")).exists();

    try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(dataDir, 0)) {
      assertThat(names(again, "shop")).containsExactly("apple", "pear");
      assertThat(setting(again, "fsync")).as("a persistent server is crash safe").isEqualTo("on");
      assertThat(setting(again, "synchronous_commit")).isEqualTo("on");
    }
  }

  @Test
  void honoursAFixedPort() throws Exception {
    int port;
    try (var probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(tmp.resolve("fixed"), port)) {
      assertThat(server.port()).isEqualTo(port);
      assertThat(names(server, "postgres")).isEmpty();
    }
  }

  @Test
  void rejectsDatabaseNamesThatAreNotPlainIdentifiers() throws Exception {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.startEphemeral()) {
      assertThatThrownBy(() -> server.createDatabase("x\"; DROP DATABASE postgres; --"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static Connection connect(EmbeddedPostgresServer server, String db) throws SQLException {
    return DriverManager.getConnection(server.jdbcUrl(db), server.user(), server.password());
  }

  private static String setting(EmbeddedPostgresServer server, String name) throws SQLException {
    try (Connection c = connect(server, "postgres"); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SHOW " + name)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static List<String> names(EmbeddedPostgresServer server, String db) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = connect(server, db); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS fruit (name text PRIMARY KEY)");
      try (ResultSet rows = s.executeQuery("SELECT name FROM fruit ORDER BY name")) {
        while (rows.next()) {
          names.add(rows.getString(1));
        }
      }
    }
    return names;
  }
}
