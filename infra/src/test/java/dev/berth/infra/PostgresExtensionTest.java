package dev.berth.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresExtensionTest {

  private final PostgresDatabase fromConstructor;

  PostgresExtensionTest(PostgresDatabase db) {
    this.fromConstructor = db;
  }

  @Test
  @Order(1)
  void injectsAWorkingDatabase(PostgresDatabase db) throws Exception {
    assertThat(db).isEqualTo(fromConstructor);
    assertThat(db.host()).isEqualTo("127.0.0.1");
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + db.port() + "/" + db.database());
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE note (body text)");
      s.execute("INSERT INTO note VALUES ('hello')");
    }
  }

  @Test
  @Order(2)
  void everyMethodOfAClassSharesItsDatabase(PostgresDatabase db) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT body FROM note")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("hello");
    }
  }

  @Nested
  class NestedClass {
    @Test
    void seesTheOuterClassDatabase(PostgresDatabase db) {
      assertThat(db).isEqualTo(fromConstructor);
    }
  }
}
