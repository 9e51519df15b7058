package dev.berth.registry.events;

import dev.berth.kit.events.Event;
import dev.berth.kit.events.EventPublisher;
import dev.berth.kit.events.Topics;
import dev.berth.registry.meta.Outbox;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox rows to Kafka in id order and marks them sent. Several registry replicas may run
 * a relay; a PostgreSQL advisory lock, held on one connection for as long as it lives, lets exactly
 * one of them publish at a time, so a repository's events never overtake each other. A crash between
 * the send and the mark re-sends those events later: delivery is at least once, and consumers drop
 * the repeat by its event id. A verticle, so that timer, nudges and passes share one context.
 */
public final class OutboxRelay extends VerticleBase {

    /** Any fixed number; it names the lock in pg_locks. */
    static final long LEADER_LOCK = 0x62657274L;
    /** Local event-bus address that wakes the relay after a transaction wrote events. */
    public static final String NUDGE = "berth.registry.outbox.nudge";

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    private final Pool pool;
    private final EventPublisher publisher;
    private final long intervalMs;
    private final int batchSize;
    private SqlConnection leader;
    private long timer = -1;
    private boolean running;
    private boolean again;
    private boolean stopped;

    public OutboxRelay(Pool pool, EventPublisher publisher, long intervalMs, int batchSize) {
        this.pool = pool;
        this.publisher = publisher;
        this.intervalMs = intervalMs;
        this.batchSize = batchSize;
    }

    @Override
    public Future<?> start() {
        timer = vertx.setPeriodic(intervalMs, id -> tick());
        return vertx.eventBus().localConsumer(NUDGE, msg -> tick()).completion();
    }

    /** Runs one pass now, or right after the pass under way. */
    void tick() {
        if (stopped) {
            return;
        }
        if (running) {
            again = true;
            return;
        }
        running = true;
        again = false;
        leadership()
                .compose(isLeader -> isLeader ? publishBatch() : Future.succeededFuture(0))
                .onComplete(ar -> {
                    running = false;
                    if (ar.failed()) {
                        LOG.warn("outbox relay pass failed, retrying: {}", ar.cause().toString());
                        dropLeadership();
                    } else if (again || ar.result() == batchSize) {
                        vertx.runOnContext(v -> tick());
                    }
                });
    }

    private Future<Boolean> leadership() {
        if (leader != null) {
            return Future.succeededFuture(true);
        }
        return pool.getConnection().compose(conn -> conn.preparedQuery("select pg_try_advisory_lock($1)")
                .execute(Tuple.of(LEADER_LOCK))
                .map(rows -> rows.iterator().next().getBoolean(0))
                .compose(won -> {
                    if (won) {
                        leader = conn;
                        conn.closeHandler(v -> leader = null);
                        LOG.info("this instance now relays the outbox to Kafka");
                        return Future.succeededFuture(true);
                    }
                    return conn.close().map(false);
                }, e -> conn.close().transform(x -> Future.failedFuture(e))));
    }

    /** Publishes up to one batch; the number of rows it handled. */
    private Future<Integer> publishBatch() {
        SqlConnection conn = leader;
        return conn.preparedQuery("select id, event_id, type, subject, time, data from outbox "
                        + "where published_at is null order by id limit $1")
                .execute(Tuple.of(batchSize))
                .compose(rows -> {
                    List<Long> ids = new ArrayList<>();
                    List<Future<?>> sends = new ArrayList<>();
                    for (Row row : rows) {
                        ids.add(row.getLong("id"));
                        sends.add(publisher.publish(Topics.REGISTRY_EVENTS, toEvent(row)));
                    }
                    if (ids.isEmpty()) {
                        return Future.succeededFuture(0);
                    }
                    // The producer keeps order per partition; mark only the unbroken run of sent rows,
                    // so nothing after a failed send is ever marked ahead of it.
                    return Future.join(sends).transform(ar -> {
                        int sent = 0;
                        while (sent < sends.size() && sends.get(sent).succeeded()) {
                            sent++;
                        }
                        Future<Void> marked = sent == 0 ? Future.succeededFuture()
                                : conn.preparedQuery("update outbox set published_at = now() where id = any($1)")
                                        .execute(Tuple.tuple().addArrayOfLong(ids.subList(0, sent).toArray(new Long[0])))
                                        .mapEmpty();
                        int done = sent;
                        return marked.compose(v -> done == sends.size() ? Future.succeededFuture(done)
                                : Future.failedFuture(sends.get(done).cause()));
                    });
                });
    }

    static Event toEvent(Row row) {
        OffsetDateTime time = row.getOffsetDateTime("time");
        Object data = row.getValue("data");
        return new Event(row.getUUID("event_id").toString(), Outbox.SOURCE, row.getString("type"),
                row.getString("subject"), time.toInstant(), Event.JSON,
                data instanceof JsonObject json ? json : new JsonObject(String.valueOf(data)));
    }

    private void dropLeadership() {
        SqlConnection conn = leader;
        leader = null;
        if (conn != null) {
            conn.close();
        }
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        dropLeadership();
        return publisher.close();
    }
}
