package dev.berth.gateway.protect;

import dev.berth.kit.Config;

/**
 * A token-bucket limit: {@code perSecond} tokens refill each second up to {@code burst}; each
 * request takes one. A rate of 0 means no limit.
 */
public record RateLimit(double perSecond, int burst) {

    public static final RateLimit OFF = new RateLimit(0, 0);

    public RateLimit {
        if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate must be a finite number >= 0, got " + perSecond);
        }
        if (perSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, got " + burst);
        }
    }

    public boolean off() {
        return perSecond == 0;
    }

    /** Reads {@code <prefix>.rate} (requests per second, decimals allowed) and {@code <prefix>.burst}. */
    static RateLimit from(Config c, String prefix) {
        String text = c.string(prefix + ".rate", "0").trim();
        double rate;
        try {
            rate = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(prefix + ".rate (env " + Config.envName(prefix + ".rate")
                    + ") must be a number of requests per second, got '" + text + "'");
        }
        if (rate == 0) {
            return OFF;
        }
        // Default burst: one second's worth, at least one request.
        int burst = c.integer(prefix + ".burst", (int) Math.max(1, Math.ceil(rate)));
        try {
            return new RateLimit(rate, burst);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + ": " + e.getMessage(), e);
        }
    }

    long intervalNanos() {
        return Math.max(1, Math.round(1_000_000_000d / perSecond));
    }
}
