package dev.berth.kit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, PostgresExtension.class})
class DatabaseTest {

  private static DatabaseConfig config(PostgresDatabase db) {
    return new DatabaseConfig(db.host(), db.port(), db.database(), db.user(), db.password(), 2);
  }

  @Test
  void migratesThenQueriesThroughTheReactivePool(Vertx vertx, PostgresDatabase db, VertxTestContext ctx) {
    DatabaseConfig cfg = config(db);
    Pool pool = Database.pool(vertx, cfg);

    Database.migrate(vertx, cfg, "classpath:db/kit-test")
        // Running again applies nothing and does not fail.
        .compose(v -> Database.migrate(vertx, cfg, "classpath:db/kit-test"))
        .compose(v -> pool.preparedQuery("INSERT INTO crate (label) VALUES ($1)").execute(Tuple.of("gamma")))
        .compose(v -> pool.query("SELECT label FROM crate ORDER BY id").execute())
        .onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
          List<String> labels = new ArrayList<>();
          for (Row row : rows) {
            labels.add(row.getString("label"));
          }
          assertThat(labels).containsExactly("alpha", "beta", "gamma");
          pool.close();
          ctx.completeNow();
        })));
  }

  @Test
  void aMissingMigrationLocationFails(Vertx vertx, PostgresDatabase db, VertxTestContext ctx) {
    Database.migrate(vertx, config(db), "classpath:db/no-such-folder")
        .onComplete(ctx.failing(error -> ctx.verify(() -> {
          assertThat(error).hasMessageContaining("no-such-folder");
          ctx.completeNow();
        })));
  }
}
