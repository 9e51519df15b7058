package dev.berth.gateway.protect;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a client IP or a caller's subject), shared by all of the gateway's event
 * loops so a client gets the configured limit once, not once per loop. Lock-free: a
 * {@link ConcurrentHashMap} of {@link TokenBucket}s, each a single atomic number.
 *
 * <p>Memory stays bounded: {@link #evictIdle()} (run every second by the gateway, and at once
 * when more than {@code maxTracked} keys are held) drops every bucket that has refilled
 * completely, which behaves exactly like a missing one. If the map is still full of active
 * buckets, new keys are let through untracked rather than refused: rejecting strangers would let
 * a flood from many addresses lock everybody else out.
 */
public final class RateLimiter {

    /** Result of {@link #tryAcquire}: granted. */
    public static final long GRANTED = 0;
    private static final long SWEEP_SPACING_NANOS = 1_000_000_000L;

    private final RateLimit limit;
    private final long interval;
    private final long tolerance;
    private final int maxTracked;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong();
    private final AtomicLong untracked = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    public RateLimiter(RateLimit limit, int maxTracked) {
        this(limit, maxTracked, System::nanoTime);
    }

    RateLimiter(RateLimit limit, int maxTracked, LongSupplier clock) {
        if (maxTracked < 1) {
            throw new IllegalArgumentException("maxTracked must be at least 1");
        }
        this.limit = limit;
        this.interval = limit.off() ? 0 : limit.intervalNanos();
        this.tolerance = limit.off() ? 0 : (limit.burst() - 1) * interval;
        this.maxTracked = maxTracked;
        this.clock = clock;
        lastSweep.set(clock.getAsLong() - SWEEP_SPACING_NANOS);
    }

    public RateLimit limit() {
        return limit;
    }

    /** Takes a token for {@code key}: {@link #GRANTED}, or the nanoseconds until one is available. */
    public long tryAcquire(String key) {
        if (limit.off()) {
            return GRANTED;
        }
        long now = clock.getAsLong();
        while (true) {
            TokenBucket bucket = buckets.get(key);
            if (bucket == null) {
                if (buckets.size() >= maxTracked && evictIdle() == 0 && buckets.size() >= maxTracked) {
                    untracked.incrementAndGet();
                    return GRANTED;
                }
                bucket = buckets.computeIfAbsent(key, k -> new TokenBucket(now));
            }
            long result = bucket.take(now, interval, tolerance);
            if (result != TokenBucket.RETIRED) {
                if (result != GRANTED) {
                    rejected.incrementAndGet();
                }
                return result;
            }
            // Evicted between get and take: drop it (if still there) and start over with a fresh one.
            buckets.remove(key, bucket);
        }
    }

    /**
     * Drops buckets that are full again; returns how many. Runs at most once a second whoever
     * calls it, so a burst of new keys does not turn every request into a sweep.
     */
    public int evictIdle() {
        long now = clock.getAsLong();
        long last = lastSweep.get();
        if (now - last < SWEEP_SPACING_NANOS || !lastSweep.compareAndSet(last, now)) {
            return 0;
        }
        int removed = 0;
        for (var entry : buckets.entrySet()) {
            if (entry.getValue().retireIfFull(now) && buckets.remove(entry.getKey(), entry.getValue())) {
                removed++;
            }
        }
        return removed;
    }

    /** Keys currently holding a bucket. */
    public int tracked() {
        return buckets.size();
    }

    /** Requests refused so far. */
    public long rejected() {
        return rejected.get();
    }

    /** Requests let through untracked because the map was full of active buckets. */
    public long untracked() {
        return untracked.get();
    }
}
