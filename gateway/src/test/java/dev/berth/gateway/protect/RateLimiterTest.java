package dev.berth.gateway.protect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets on a hand-driven clock: what a client is granted, and when again. */
class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(5 * SECOND);

    @Test
    void grantsTheBurstThenSaysHowLongToWait() {
        RateLimiter limiter = new RateLimiter(new RateLimit(2, 3), 100, now::get);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("a")).isEqualTo(RateLimiter.GRANTED);
        }
        assertThat(limiter.tryAcquire("a")).isEqualTo(SECOND / 2);
        now.addAndGet(SECOND / 4);
        assertThat(limiter.tryAcquire("a")).isEqualTo(SECOND / 4);
        now.addAndGet(SECOND / 4);
        assertThat(limiter.tryAcquire("a")).isEqualTo(RateLimiter.GRANTED);
        assertThat(limiter.tryAcquire("a")).isPositive();
        assertThat(limiter.rejected()).isEqualTo(3);
    }

    @Test
    void keysHaveTheirOwnBuckets() {
        RateLimiter limiter = new RateLimiter(new RateLimit(1, 1), 100, now::get);
        assertThat(limiter.tryAcquire("a")).isEqualTo(RateLimiter.GRANTED);
        assertThat(limiter.tryAcquire("a")).isPositive();
        assertThat(limiter.tryAcquire("b")).isEqualTo(RateLimiter.GRANTED);
    }

    @Test
    void refillsNoFurtherThanTheBurst() {
        RateLimiter limiter = new RateLimiter(new RateLimit(10, 2), 100, now::get);
        now.addAndGet(3600 * SECOND);
        assertThat(limiter.tryAcquire("a")).isEqualTo(RateLimiter.GRANTED);
        now.addAndGet(3600 * SECOND);
        assertThat(limiter.tryAcquire("a")).isEqualTo(RateLimiter.GRANTED);
        assertThat(limiter.tryAcquire("a")).isEqualTo(RateLimiter.GRANTED);
        assertThat(limiter.tryAcquire("a")).isPositive();
    }

    @Test
    void evictsOnlyFullBucketsAndAnEvictedClientKeepsItsLimit() {
        RateLimiter limiter = new RateLimiter(new RateLimit(1, 2), 100, now::get);
        limiter.tryAcquire("idle");
        limiter.tryAcquire("busy");
        limiter.tryAcquire("busy");
        now.addAndGet(SECOND + SECOND / 2);
        // "idle" has refilled; "busy" still misses half a token.
        assertThat(limiter.evictIdle()).isEqualTo(1);
        assertThat(limiter.tracked()).isEqualTo(1);
        assertThat(limiter.tryAcquire("busy")).isEqualTo(RateLimiter.GRANTED);
        assertThat(limiter.tryAcquire("busy")).isPositive();
        assertThat(limiter.tryAcquire("idle")).isEqualTo(RateLimiter.GRANTED);
        assertThat(limiter.tryAcquire("idle")).isEqualTo(RateLimiter.GRANTED);
        assertThat(limiter.tryAcquire("idle")).isPositive();
    }

    @Test
    void manyClientsStayWithinTheTrackedBound() {
        RateLimiter limiter = new RateLimiter(new RateLimit(100, 1), 1000, now::get);
        // 500 new clients a second, each idle again after 10 ms: the once-a-second sweep keeps up.
        for (int i = 0; i < 20_000; i++) {
            limiter.tryAcquire("10.0." + (i / 256) + "." + (i % 256));
            now.addAndGet(SECOND / 500);
            assertThat(limiter.tracked()).isLessThanOrEqualTo(1000);
        }
        assertThat(limiter.untracked()).isZero();
    }

    @Test
    void zeroRateIsOff() {
        RateLimiter limiter = new RateLimiter(RateLimit.OFF, 1, now::get);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire("a")).isEqualTo(RateLimiter.GRANTED);
        }
        assertThat(limiter.tracked()).isZero();
    }

    @Test
    void concurrentTakersNeverGetMoreThanTheBurst() throws Exception {
        RateLimiter limiter = new RateLimiter(new RateLimit(0.001, 500), 100, now::get);
        AtomicLong granted = new AtomicLong();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    if (limiter.tryAcquire("shared") == RateLimiter.GRANTED) {
                        granted.incrementAndGet();
                    }
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(granted.get()).isEqualTo(500);
    }
}
