package dev.berth.registry.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/** When a failed delivery is tried again: the configured schedule with jitter, or the target's Retry-After. */
final class RetryPolicy {

    private final WebhookSettings settings;

    RetryPolicy(WebhookSettings settings) {
        this.settings = settings;
    }

    /**
     * The wait after failed attempt number {@code attempts} (1-based), or null when the schedule is used
     * up. Jitter of ±20% keeps deliveries that failed together (a target's outage) from retrying together.
     */
    Duration afterFailure(int attempts) {
        if (attempts < 1 || attempts > settings.retrySchedule().size()) {
            return null;
        }
        long millis = settings.retrySchedule().get(attempts - 1).toMillis();
        double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.round(millis * factor));
    }

    /** A {@code Retry-After} value (delay seconds or an HTTP date), capped; null when absent or unreadable. */
    Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        Duration wait;
        String text = header.trim();
        if (text.chars().allMatch(Character::isDigit)) {
            wait = text.length() > 12 ? settings.maxRetryAfter() : Duration.ofSeconds(Long.parseLong(text));
        } else {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(settings.maxRetryAfter()) > 0 ? settings.maxRetryAfter() : wait;
    }

    int scheduleLength() {
        return settings.retrySchedule().size();
    }
}
