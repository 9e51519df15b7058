package dev.berth.gateway.audit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's audit log: {@link #record} queues an entry and returns at once, from any thread;
 * a writer on the gateway's own context inserts queued entries in batches. The queue is bounded:
 * when the database cannot keep up (or is away), new entries are dropped and counted
 * ({@code berth_gateway_audit_dropped_total}) rather than slowing requests down. A batch that
 * failed to insert is retried at the next tick, and {@link #stop} flushes what is queued.
 */
public final class AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final long STOP_FLUSH_TIMEOUT_MS = 10_000;
    /** A whole batch in one statement (one array per column): one round trip and one plan, not one per row. */
    static final String INSERT = """
            insert into gateway_audit (at, actor, actor_kind, action, target, repository, reference, digest,
                                       client_ip, status, detail, request_id)
            select * from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                 $7::text[], $8::text[], $9::text[], $10::int[], $11::text[], $12::text[])""";

    private final Vertx vertx;
    private final Pool pool;
    private final AuditConfig config;
    private final ConcurrentLinkedQueue<AuditEntry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicBoolean flushRequested = new AtomicBoolean();
    private Context context;
    private long timer = -1;
    /** A batch being written, or kept for a retry after a failed insert; only touched on {@link #context}. */
    private List<AuditEntry> batch = List.of();
    private boolean writing;
    private volatile boolean stopped;

    private AuditLog(Vertx vertx, Pool pool, AuditConfig config) {
        this.vertx = vertx;
        this.pool = pool;
        this.config = config;
    }

    /** An audit log that records nothing: the gateway has no database. */
    public static AuditLog disabled() {
        return new AuditLog(null, null, AuditConfig.DEFAULTS);
    }

    /** Starts writing to {@code gateway_audit} through {@code pool}, from the caller's context. */
    public static AuditLog start(Vertx vertx, Pool pool, AuditConfig config) {
        AuditLog log = new AuditLog(vertx, pool, config);
        log.context = vertx.getOrCreateContext();
        log.timer = vertx.setPeriodic(config.flushIntervalMs(), id -> log.flush());
        MeterRegistry registry = BackendRegistries.getDefaultNow();
        if (registry != null) {
            FunctionCounter.builder("berth.gateway.audit.dropped", log, AuditLog::dropped)
                    .description("audit entries dropped because the queue was full").register(registry);
            Gauge.builder("berth.gateway.audit.queued", log.queued, AtomicInteger::get)
                    .description("audit entries waiting for the database").register(registry);
        }
        return log;
    }

    public boolean enabled() {
        return pool != null;
    }

    /** The pool queries go through; null when disabled. */
    Pool pool() {
        return pool;
    }

    /**
     * Queues {@code entry}; never blocks. False when the log is off, stopped, or full (the entry
     * is then dropped and counted).
     */
    public boolean record(AuditEntry entry) {
        if (pool == null || stopped) {
            return false;
        }
        if (queued.incrementAndGet() > config.queueCapacity()) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        queue.add(entry);
        if (queued.get() >= config.batchSize() && flushRequested.compareAndSet(false, true)) {
            context.runOnContext(v -> flush());
        }
        return true;
    }

    /** Entries dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Entries inserted so far. */
    public long written() {
        return written.get();
    }

    /** Stops accepting entries and writes what is queued (bounded wait); the pool stays open. */
    public Future<Void> stop() {
        if (pool == null) {
            return Future.succeededFuture();
        }
        stopped = true;
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            vertx.cancelTimer(timer);
            long deadline = System.nanoTime() + STOP_FLUSH_TIMEOUT_MS * 1_000_000;
            drainUntilEmpty(done, deadline);
        });
        return done.future();
    }

    private void drainUntilEmpty(Promise<Void> done, long deadline) {
        if (queued.get() == 0 && batch.isEmpty() && !writing) {
            done.complete();
            return;
        }
        if (System.nanoTime() > deadline) {
            LOG.warn("audit log stopped with {} entries unwritten", queued.get() + batch.size());
            done.complete();
            return;
        }
        flush();
        vertx.setTimer(20, id -> drainUntilEmpty(done, deadline));
    }

    /** Runs on {@link #context}: writes the pending batch, or the next one from the queue. */
    private void flush() {
        flushRequested.set(false);
        if (writing) {
            return;
        }
        if (batch.isEmpty()) {
            List<AuditEntry> next = new ArrayList<>(Math.min(config.batchSize(), Math.max(1, queued.get())));
            AuditEntry entry;
            while (next.size() < config.batchSize() && (entry = queue.poll()) != null) {
                queued.decrementAndGet();
                next.add(entry);
            }
            if (next.isEmpty()) {
                return;
            }
            batch = next;
        }
        writing = true;
        List<AuditEntry> writingNow = batch;
        pool.preparedQuery(INSERT).execute(columns(writingNow))
                .onComplete(ar -> {
                    writing = false;
                    if (ar.failed()) {
                        LOG.warn("writing {} audit entries failed (will retry): {}", writingNow.size(),
                                ar.cause().toString());
                        return;
                    }
                    written.addAndGet(writingNow.size());
                    batch = List.of();
                    if (queued.get() >= config.batchSize()) {
                        flush();
                    }
                });
    }

    private static Tuple columns(List<AuditEntry> entries) {
        int n = entries.size();
        java.time.OffsetDateTime[] at = new java.time.OffsetDateTime[n];
        String[][] text = new String[10][n];
        Integer[] status = new Integer[n];
        for (int i = 0; i < n; i++) {
            AuditEntry e = entries.get(i);
            at[i] = e.at().atOffset(ZoneOffset.UTC);
            text[0][i] = e.actor();
            text[1][i] = e.actorKind();
            text[2][i] = e.action();
            text[3][i] = e.target();
            text[4][i] = e.repository();
            text[5][i] = e.reference();
            text[6][i] = e.digest();
            text[7][i] = e.clientIp();
            status[i] = e.status();
            text[8][i] = e.detail();
            text[9][i] = e.requestId();
        }
        Tuple columns = Tuple.tuple().addArrayOfOffsetDateTime(at);
        for (int c = 0; c < 8; c++) {
            columns.addArrayOfString(text[c]);
        }
        return columns.addArrayOfInteger(status).addArrayOfString(text[8]).addArrayOfString(text[9]);
    }
}
