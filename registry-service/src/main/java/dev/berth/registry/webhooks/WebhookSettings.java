package dev.berth.registry.webhooks;

import dev.berth.kit.Config;
import dev.berth.kit.Durations;
import java.time.Duration;
import java.util.List;

/**
 * Webhook settings, keys under {@code registry.webhooks.} (env {@code BERTH_REGISTRY_WEBHOOKS_...}):
 *
 * <ul>
 *   <li>{@code allow-private-targets} (false): accept targets on loopback, private (RFC 1918,
 *       fc00::/7) and link-local addresses. Off by default so a webhook cannot reach internal services.
 *   <li>{@code retry-schedule} (5s,30s,2m,10m,30m,1h,3h,6h,12h): the wait before each retry, jittered
 *       by ±20%; a delivery is given up after the last one.
 *   <li>{@code disable-after} (3d): a subscription whose deliveries failed continuously for longer is disabled.
 *   <li>{@code max-retry-after} (1h): cap on a target's {@code Retry-After}.
 *   <li>{@code request-timeout} (10s): connect plus whole exchange, per attempt.
 *   <li>{@code poll-interval} (1s): how often the delivery worker looks for due deliveries.
 * </ul>
 */
public record WebhookSettings(boolean allowPrivateTargets, List<Duration> retrySchedule, Duration disableAfter,
                              Duration maxRetryAfter, Duration requestTimeout, Duration pollInterval) {

    public WebhookSettings {
        retrySchedule = List.copyOf(retrySchedule);
    }

    public static WebhookSettings from(Config c) {
        String p = "registry.webhooks.";
        List<Duration> schedule = c.list(p + "retry-schedule",
                List.of("5s", "30s", "2m", "10m", "30m", "1h", "3h", "6h", "12h")).stream()
                .map(text -> duration(p + "retry-schedule", text)).toList();
        return new WebhookSettings(
                c.bool(p + "allow-private-targets", false),
                schedule,
                duration(p + "disable-after", c.string(p + "disable-after", "3d")),
                duration(p + "max-retry-after", c.string(p + "max-retry-after", "1h")),
                duration(p + "request-timeout", c.string(p + "request-timeout", "10s")),
                duration(p + "poll-interval", c.string(p + "poll-interval", "1s")));
    }

    static Duration duration(String key, String text) {
        return Durations.parse("config key '" + key + "'", text);
    }
}
