package dev.berth.registry.history;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what only history needs once it is older than {@code registry.history.keep-days}: outbox rows
 * already published to Kafka, and webhook deliveries that ended (succeeded, failed or abandoned) with their
 * attempts. Pending deliveries and unpublished events are never touched, whatever their age. Runs a minute
 * after start, then hourly, in batches so no delete holds many row locks; replicas may all run it.
 */
public final class HistoryPurge extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryPurge.class);
    static final int BATCH = 5000;
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);
    private static final Duration INTERVAL = Duration.ofHours(1);

    private static final String EVENTS = "delete from outbox where id in (select id from outbox "
            + "where published_at is not null and published_at < $1 order by id limit " + BATCH + ")";
    private static final String DELIVERIES = "delete from webhook_deliveries where id in (select id from "
            + "webhook_deliveries where status <> 'pending' and created_at < $1 order by id limit " + BATCH + ")";

    /** What one run deleted. */
    public record Purged(long events, long deliveries) {
    }

    private final Pool pool;
    private final Duration keep;
    private long timer = -1;
    private boolean running;

    public HistoryPurge(Pool pool, Duration keep) {
        if (keep.isNegative() || keep.isZero()) {
            throw new IllegalArgumentException("registry.history.keep-days must be positive");
        }
        this.pool = pool;
        this.keep = keep;
    }

    @Override
    public Future<?> start() {
        timer = vertx.setPeriodic(FIRST_RUN.toMillis(), INTERVAL.toMillis(), id -> tick());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        return Future.succeededFuture();
    }

    private void tick() {
        if (running) {
            return;
        }
        running = true;
        purge().onComplete(ar -> {
            running = false;
            if (ar.failed()) {
                LOG.warn("purging old events and webhook deliveries failed", ar.cause());
            } else if (ar.result().events() + ar.result().deliveries() > 0) {
                LOG.info("purged {} published events and {} ended webhook deliveries older than {} days",
                        ar.result().events(), ar.result().deliveries(), keep.toDays());
            }
        });
    }

    /** One run: everything older than the kept window, batch by batch. */
    public Future<Purged> purge() {
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minus(keep);
        return deleteAll(EVENTS, before, 0).compose(events ->
                deleteAll(DELIVERIES, before, 0).map(deliveries -> new Purged(events, deliveries)));
    }

    private Future<Long> deleteAll(String sql, OffsetDateTime before, long deletedSoFar) {
        return pool.preparedQuery(sql).execute(Tuple.of(before)).compose(rows -> {
            long total = deletedSoFar + rows.rowCount();
            return rows.rowCount() < BATCH ? Future.succeededFuture(total) : deleteAll(sql, before, total);
        });
    }
}
