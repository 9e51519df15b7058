package dev.berth.registry.gc;

import dev.berth.kit.Config;
import dev.berth.kit.Durations;
import java.time.Duration;

/**
 * Garbage-collection settings, keys under {@code registry.gc.} (env {@code BERTH_REGISTRY_GC_...}):
 *
 * <ul>
 *   <li>{@code interval} (off): run a collection this often, e.g. {@code 6h}; {@code off} or empty runs
 *       none (the admin API still can). Replicas take turns through an advisory lock.
 *   <li>{@code delete-untagged} (false): also delete manifests no tag, index or subject keeps.
 *   <li>{@code grace-period} (1h): blob links and untagged manifests used more recently than this are
 *       kept, so a push in progress can still name them. {@code 0s} is for tests only.
 *   <li>{@code upload-max-age} (24h): upload sessions idle for longer are purged, rows and bytes.
 * </ul>
 */
public record GcSettings(Duration interval, boolean deleteUntagged, Duration gracePeriod, Duration uploadMaxAge) {

    public static GcSettings from(Config c) {
        String p = "registry.gc.";
        String interval = c.string(p + "interval", "off").trim();
        Duration every = interval.isEmpty() || interval.equalsIgnoreCase("off") ? null
                : duration(p + "interval", interval);
        if (every != null && every.isZero()) {
            throw new IllegalArgumentException("config key '" + p + "interval' must be positive or 'off'");
        }
        Duration maxAge = duration(p + "upload-max-age", c.string(p + "upload-max-age", "24h"));
        if (maxAge.isZero()) {
            throw new IllegalArgumentException("config key '" + p + "upload-max-age' must be positive");
        }
        return new GcSettings(every, c.bool(p + "delete-untagged", false),
                duration(p + "grace-period", c.string(p + "grace-period", "1h")), maxAge);
    }

    /** The defaults: no schedule, untagged manifests kept, 1h grace, uploads purged after 24h. */
    public static GcSettings defaults() {
        return new GcSettings(null, false, Duration.ofHours(1), Duration.ofHours(24));
    }

    public GcSettings withDeleteUntagged(boolean delete) {
        return new GcSettings(interval, delete, gracePeriod, uploadMaxAge);
    }

    static Duration duration(String key, String text) {
        return Durations.parse("config key '" + key + "'", text);
    }
}
