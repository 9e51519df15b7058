package dev.berth.registry.gc;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts collections, one at a time across every replica, and records each in {@code gc_runs}. The
 * run holds a PostgreSQL advisory lock on one connection from start to end; if its instance dies, the
 * connection drops, the lock with it, and the next run marks the orphaned record failed.
 */
public final class GcRunner {

    /** Any fixed number; it names the lock in pg_locks. */
    static final long RUN_LOCK = 0x62657267L;

    private static final Logger LOG = LoggerFactory.getLogger(GcRunner.class);

    private final Pool pool;
    private final GarbageCollector collector;

    public GcRunner(Pool pool, GarbageCollector collector) {
        this.pool = pool;
        this.collector = collector;
    }

    /** Another collection is running (here or on another replica). */
    public static final class Busy extends RuntimeException {
        Busy() {
            super("a garbage collection is already running", null, false, false);
        }
    }

    /**
     * Starts a collection in the background; the new run's record (status {@code running}), or a
     * failed future with {@link Busy}.
     */
    public Future<JsonObject> start(boolean dryRun, String trigger) {
        return pool.getConnection().compose(conn -> conn.preparedQuery("select pg_try_advisory_lock($1)")
                .execute(Tuple.of(RUN_LOCK))
                .compose(rows -> {
                    if (!rows.iterator().next().getBoolean(0)) {
                        return conn.close().compose(v -> Future.failedFuture(new Busy()));
                    }
                    UUID id = UUID.randomUUID();
                    return conn.query("""
                                    update gc_runs set status = 'failed', finished_at = now(),
                                        error = 'interrupted: the instance running it stopped'
                                    where status = 'running'""").execute()
                            .compose(v -> conn.preparedQuery("insert into gc_runs (id, dry_run, trigger, status) "
                                            + "values ($1, $2, $3, 'running') returning " + COLUMNS)
                                    .execute(Tuple.of(id, dryRun, trigger)))
                            .map(inserted -> {
                                run(conn, id, dryRun);
                                return toJson(inserted.iterator().next());
                            })
                            .recover(e -> release(conn).transform(x -> Future.failedFuture(e)));
                }, e -> conn.close().transform(x -> Future.failedFuture(e))));
    }

    private void run(SqlConnection conn, UUID id, boolean dryRun) {
        LOG.info("garbage collection {} started{}", id, dryRun ? " (dry run)" : "");
        (dryRun ? collector.estimate() : collector.collect())
                .transform(ar -> {
                    if (ar.succeeded()) {
                        LOG.info("garbage collection {} finished: {}", id, ar.result().toJson().encode());
                        return conn.preparedQuery("update gc_runs set status = 'succeeded', finished_at = now(), "
                                + "report = $2 where id = $1").execute(Tuple.of(id, ar.result().toJson()));
                    }
                    LOG.warn("garbage collection {} failed", id, ar.cause());
                    return conn.preparedQuery("update gc_runs set status = 'failed', finished_at = now(), "
                            + "error = $2 where id = $1").execute(Tuple.of(id, String.valueOf(ar.cause().getMessage())));
                })
                .onFailure(e -> LOG.warn("could not record the end of garbage collection {}", id, e))
                .eventually(() -> release(conn));
    }

    /** Unlocks before the connection goes back to the pool: a session lock would outlive the run. */
    private static Future<Void> release(SqlConnection conn) {
        return conn.preparedQuery("select pg_advisory_unlock($1)").execute(Tuple.of(RUN_LOCK))
                .transform(ar -> conn.close());
    }

    /** The newest runs first. */
    public Future<JsonArray> runs(int limit) {
        return pool.preparedQuery("select " + COLUMNS + " from gc_runs order by started_at desc, id limit $1")
                .execute(Tuple.of(limit)).map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(row -> out.add(toJson(row)));
                    return out;
                });
    }

    /** One run, or null. */
    public Future<JsonObject> run(UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from gc_runs where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
    }

    private static final String COLUMNS = "id, dry_run, trigger, status, started_at, finished_at, report, error";

    private static JsonObject toJson(Row row) {
        Object report = row.getValue("report");
        return new JsonObject()
                .put("id", row.getUUID("id").toString())
                .put("dryRun", row.getBoolean("dry_run"))
                .put("trigger", row.getString("trigger"))
                .put("status", row.getString("status"))
                .put("startedAt", time(row.getOffsetDateTime("started_at")))
                .put("finishedAt", time(row.getOffsetDateTime("finished_at")))
                .put("report", report instanceof JsonObject json ? json
                        : report == null ? null : new JsonObject(String.valueOf(report)))
                .put("error", row.getString("error"));
    }

    private static String time(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }
}
