package dev.berth.gateway.protect;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One client's token bucket, kept as a single number so that every event loop can take tokens
 * from it with a compare-and-set, no lock: the "theoretical arrival time" of the generic cell rate
 * algorithm. A bucket of {@code burst} tokens refilling one token per {@code interval} lets a
 * request through at time {@code now} exactly when {@code tat - now <= (burst - 1) * interval};
 * taking a token moves {@code tat} one interval on. {@code tat <= now} means the bucket is full.
 */
final class TokenBucket {

    /** Taken out of its map by the evictor; whoever sees this fetches (or makes) a fresh bucket. */
    static final long RETIRED = Long.MIN_VALUE;

    /** Nanoseconds; {@link #RETIRED} once evicted. Starts full. */
    private final AtomicLong tat;

    TokenBucket(long now) {
        this.tat = new AtomicLong(now);
    }

    /**
     * Takes one token: 0 when granted, otherwise the nanoseconds until one will be there (nothing
     * taken), or {@link #RETIRED} when this bucket was evicted and must not be used.
     */
    long take(long now, long interval, long tolerance) {
        while (true) {
            long current = tat.get();
            if (current == RETIRED) {
                return RETIRED;
            }
            long base = Math.max(current, now);
            long wait = base - tolerance - now;
            if (wait > 0) {
                return wait;
            }
            if (tat.compareAndSet(current, base + interval)) {
                return 0;
            }
        }
    }

    /** Retires the bucket when it is full again (a fresh one would behave the same); true if retired. */
    boolean retireIfFull(long now) {
        long current = tat.get();
        return current != RETIRED && current <= now && tat.compareAndSet(current, RETIRED);
    }
}
