package dev.berth.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresExtensionIsolationTest {

  @Test
  void eachTestClassGetsAnEmptyDatabaseOfItsOwn(PostgresDatabase db) throws Exception {
    assertThat(db.database()).startsWith("t_postgresextensionisolationtest_");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
      rows.next();
      assertThat(rows.getInt(1)).isZero();
    }
  }
}
