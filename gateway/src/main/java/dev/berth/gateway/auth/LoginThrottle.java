package dev.berth.gateway.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brute-force protection for password logins: failures are counted per user name and per client
 * address within the lockout window; past the limit the key is locked for the lockout time. A
 * successful login clears its user's count. Kept in memory: each gateway process counts alone.
 */
public final class LoginThrottle {

    /** How many times the per-user limit one address may fail (several users behind one NAT). */
    static final int ADDRESS_FACTOR = 4;
    private static final int MAX_TRACKED = 100_000;

    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    private record Failures(int count, Instant windowStart, Instant lockedUntil) {
    }

    public LoginThrottle(int maxFailures, Duration lockout, Clock clock) {
        this.maxFailures = maxFailures;
        this.lockout = lockout;
        this.clock = clock;
    }

    /** How long the user or the address stays locked; empty when neither is. */
    public Optional<Duration> lockedFor(String user, String address) {
        Instant now = clock.instant();
        Instant until = later(lockedUntil("user:" + user, now), lockedUntil("ip:" + address, now));
        return until == null ? Optional.empty() : Optional.of(Duration.between(now, until));
    }

    /** Records a failed login; returns the user's failure count in the current window. */
    public int failed(String user, String address) {
        if (failures.size() > MAX_TRACKED) {
            prune();
        }
        record("ip:" + address, maxFailures * ADDRESS_FACTOR);
        return record("user:" + user, maxFailures).count();
    }

    public void succeeded(String user) {
        failures.remove("user:" + user);
    }

    private Failures record(String key, int limit) {
        Instant now = clock.instant();
        return failures.compute(key, (k, f) -> {
            if (f == null || f.windowStart().plus(lockout).isBefore(now) && !locked(f, now)) {
                f = new Failures(0, now, null);
            }
            int count = f.count() + 1;
            Instant lockedUntil = count >= limit ? now.plus(lockout) : f.lockedUntil();
            return new Failures(count, f.windowStart(), lockedUntil);
        });
    }

    private Instant lockedUntil(String key, Instant now) {
        Failures f = failures.get(key);
        return f != null && locked(f, now) ? f.lockedUntil() : null;
    }

    private static boolean locked(Failures f, Instant now) {
        return f.lockedUntil() != null && f.lockedUntil().isAfter(now);
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    private void prune() {
        Instant now = clock.instant();
        failures.entrySet().removeIf(e -> !locked(e.getValue(), now)
                && e.getValue().windowStart().plus(lockout).isBefore(now));
    }
}
