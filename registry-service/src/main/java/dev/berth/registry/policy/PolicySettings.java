package dev.berth.registry.policy;

import dev.berth.kit.Config;
import java.time.Duration;

/**
 * Policy settings: {@code registry.retention.interval} (env {@code BERTH_REGISTRY_RETENTION_INTERVAL}),
 * how often retention rules run on their own, e.g. {@code 1h}; empty or {@code 0s} (the default) = only
 * through the API.
 */
public record PolicySettings(Duration retentionInterval) {

    public static PolicySettings from(Config c) {
        String text = c.string("registry.retention.interval", "");
        Duration interval = text.isBlank() ? Duration.ZERO
                : RetentionRules.duration("config key 'registry.retention.interval'", text);
        return new PolicySettings(interval);
    }

    public boolean scheduled() {
        return !retentionInterval.isZero();
    }
}
