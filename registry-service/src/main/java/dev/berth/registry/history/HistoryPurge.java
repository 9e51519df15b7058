package dev.berth.registry.history;

import dev.berth.kit.events.Inbox;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what only history needs once it is older than {@code registry.history.keep-days}: outbox rows
 * already published to Kafka, webhook deliveries that ended (succeeded, failed or abandoned) with their
 * attempts, and the event inbox's record of events handled that long ago. Pending deliveries and
 * unpublished events are never touched, whatever their age. The inbox guards against Kafka handing an
 * event over twice, which cannot happen once the topic no longer holds it: so with Kafka configured, each
 * run asks the broker for the events topic's {@code retention.ms} and keeps inbox entries for that plus a
 * day when it is longer than keep-days, none are dropped when the topic keeps records forever, and none
 * when the broker cannot say. Runs a minute after start, then hourly, outbox and deliveries in batches so
 * no delete holds many row locks; replicas may all run it.
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

    /** Past the topic's retention, how much longer inbox entries stay (clocks and in-flight consumers). */
    static final Duration INBOX_MARGIN = Duration.ofDays(1);

    private final Pool pool;
    private final Duration keep;
    /** The events topic's retention, null meaning forever; null itself when no Kafka is configured. */
    private final Callable<Duration> topicRetention;
    /** Runs {@link #topicRetention}, a blocking call; null without it. */
    private final Vertx blocking;
    private long timer = -1;
    private boolean running;

    /** Without Kafka: inbox entries go after keep-days too. */
    public HistoryPurge(Pool pool, Duration keep) {
        this(null, pool, keep, null);
    }

    /**
     * @param blocking       runs {@code topicRetention} on a worker thread
     * @param topicRetention blocking; the events topic's retention, null when it keeps records forever; throws
     *                       when the broker cannot say (see {@link #forTopic})
     */
    public HistoryPurge(Vertx blocking, Pool pool, Duration keep, Callable<Duration> topicRetention) {
        if (keep.isNegative() || keep.isZero()) {
            throw new IllegalArgumentException("registry.history.keep-days must be positive");
        }
        this.pool = pool;
        this.keep = keep;
        this.topicRetention = topicRetention;
        this.blocking = blocking;
    }

    /** The retention of {@code topic} on the brokers at {@code bootstrapServers}, asked with a 30 s timeout. */
    public static Callable<Duration> forTopic(String bootstrapServers, String topic) {
        return () -> TopicRetention.of(bootstrapServers, topic, Duration.ofSeconds(30));
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
                LOG.info("purged {} published events and {} ended webhook deliveries older than {} days, and {} inbox "
                        + "entries", ar.result().events(), ar.result().deliveries(), keep.toDays(),
                        ar.result().inboxEntries());
            }
        });
    }

    /** One run: everything older than the kept window, batch by batch. */
    public Future<Purged> purge() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime before = now.minus(keep);
        return deleteAll(EVENTS, before, 0).compose(events -> deleteAll(DELIVERIES, before, 0).compose(deliveries ->
                inboxKeep().compose(inboxKeep -> inboxKeep.isEmpty() ? Future.succeededFuture(0L)
                                : purgeInbox(now.minus(inboxKeep.get())))
                        .map(entries -> new Purged(events, deliveries, entries))));
    }

    /** How long inbox entries stay this run; empty: keep them all (forever, or the broker could not say). */
    private Future<Optional<Duration>> inboxKeep() {
        if (topicRetention == null) {
            return Future.succeededFuture(Optional.of(keep));
        }
        return blocking.executeBlocking(topicRetention, false).transform(ar -> {
            if (ar.failed()) {
                LOG.warn("keeping the event inbox this time: the events topic's retention is unknown ({})",
                        ar.cause().toString());
                return Future.succeededFuture(Optional.empty());
            }
            Duration retention = ar.result();
            if (retention == null) {
                return Future.succeededFuture(Optional.empty()); // the topic keeps every event forever
            }
            Duration needed = retention.plus(INBOX_MARGIN);
            return Future.succeededFuture(Optional.of(needed.compareTo(keep) > 0 ? needed : keep));
        });
    }

    private Future<Long> purgeInbox(OffsetDateTime before) {
        Inbox inbox = new Inbox(pool);
        return inbox.createTable() // when no consumer has run yet, there is no table
                .compose(v -> inbox.purgeProcessedBefore(before.toInstant()))
                .map(Integer::longValue);
    }

    private Future<Long> deleteAll(String sql, OffsetDateTime before, long deletedSoFar) {
        return pool.preparedQuery(sql).execute(Tuple.of(before)).compose(rows -> {
            long total = deletedSoFar + rows.rowCount();
            return rows.rowCount() < BATCH ? Future.succeededFuture(total) : deleteAll(sql, before, total);
        });
    }
}
