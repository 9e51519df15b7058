package dev.berth.kit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL access for services: Flyway migrations (JDBC, so on a worker thread) and the
 * reactive Vert.x pool every query at runtime goes through.
 */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private Database() {}

  /**
   * Runs the Flyway migrations found at {@code location} (e.g. {@code "classpath:db/registry"})
   * on a worker thread. Fails when the location does not exist, so a typo is not mistaken for
   * "nothing to migrate".
   */
  public static Future<Void> migrate(Vertx vertx, DatabaseConfig cfg, String location) {
    return vertx.<MigrateResult>executeBlocking(() -> Flyway
            // The kit's own class loader sees every module's resources, also inside a fat jar.
            .configure(Database.class.getClassLoader())
            .dataSource(cfg.jdbcUrl(), cfg.user(), cfg.password())
            .locations(location)
            .failOnMissingLocations(true)
            .load()
            .migrate(), false)
        .onSuccess(result -> LOG.info("database {} at schema version {} ({} migrations applied from {})",
            cfg.database(), result.targetSchemaVersion == null ? result.initialSchemaVersion
                : result.targetSchemaVersion, result.migrationsExecuted, location))
        .mapEmpty();
  }

  /** A Vert.x reactive PostgreSQL pool of {@code cfg.poolSize()} connections. */
  public static Pool pool(Vertx vertx, DatabaseConfig cfg) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(cfg.host())
        .setPort(cfg.port())
        .setDatabase(cfg.database())
        .setUser(cfg.user())
        .setPassword(cfg.password())
        // Prepared statements are reused per connection: repeated queries skip parsing.
        .setCachePreparedStatements(true);
    PoolOptions pool = new PoolOptions().setMaxSize(cfg.poolSize());
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }
}
