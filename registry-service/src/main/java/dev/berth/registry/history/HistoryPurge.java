package dev.berth.registry.history;

import dev.berth.kit.events.Inbox;
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
 * already published to Kafka, webhook deliveries that ended (succeeded, failed or abandoned) with their
 * attempts, and the event inbox's record of events handled that long ago. Pending deliveries and
 * unpublished events are never touched, whatever their age. The inbox guards against Kafka handing an
 * event over twice, which cannot happen once the topic no longer holds it: keep-days must exceed the
 * topic's retention (Kafka's default is 7 days). Runs a minute after start, then hourly, outbox and
 * deliveries in batches so no delete holds many row locks; replicas may all run it.
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
    public record Purged(long events, long deliveries, long inboxEntries) {
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
                LOG.warn("purging old events, webhook deliveries and inbox entries failed", ar.cause());
            } else if (ar.result().events() + ar.result().deliveries() + ar.result().inboxEntries() > 0) {
                LOG.info("purged {} published events, {} ended webhook deliveries and {} inbox entries older than {} days",
                        ar.result().events(), ar.result().deliveries(), ar.result().inboxEntries(), keep.toDays());
            }
        });
    }

    /** One run: everything older than the kept window, batch by batch. */
    public Future<Purged> purge() {
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minus(keep);
        Inbox inbox = new Inbox(pool);
        return deleteAll(EVENTS, before, 0).compose(events -> deleteAll(DELIVERIES, before, 0).compose(deliveries ->
                inbox.createTable() // when no consumer has run yet, there is no table
                        .compose(v -> inbox.purgeProcessedBefore(before.toInstant()))
                        .map(entries -> new Purged(events, deliveries, entries))));
    }

    private Future<Long> deleteAll(String sql, OffsetDateTime before, long deletedSoFar) {
        return pool.preparedQuery(sql).execute(Tuple.of(before)).compose(rows -> {
            long total = deletedSoFar + rows.rowCount();
            return rows.rowCount() < BATCH ? Future.succeededFuture(total) : deleteAll(sql, before, total);
        });
    }
}
