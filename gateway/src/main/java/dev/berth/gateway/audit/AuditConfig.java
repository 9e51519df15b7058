package dev.berth.gateway.audit;

import dev.berth.kit.Config;

/**
 * How the audit log writes (keys under {@code gateway.audit.}); it is on whenever the gateway has
 * a database ({@code gateway.database.*}) unless {@code enabled: false}.
 *
 * @param enabled         {@code gateway.audit.enabled} (default true)
 * @param queueCapacity   {@code gateway.audit.queue-capacity}: entries waiting for the database
 *                        before new ones are dropped and counted (default 10000)
 * @param batchSize       {@code gateway.audit.batch-size}: rows per INSERT (default 500)
 * @param flushIntervalMs {@code gateway.audit.flush-interval-ms}: longest wait of a queued entry (default 200)
 */
public record AuditConfig(boolean enabled, int queueCapacity, int batchSize, long flushIntervalMs) {

    public static final AuditConfig DEFAULTS = new AuditConfig(true, 10_000, 500, 200);

    public AuditConfig {
        if (queueCapacity < 1 || batchSize < 1 || flushIntervalMs < 1) {
            throw new IllegalArgumentException(
                    "gateway.audit.queue-capacity, batch-size and flush-interval-ms must be positive");
        }
    }

    public static AuditConfig from(Config c) {
        return new AuditConfig(
                c.bool("gateway.audit.enabled", DEFAULTS.enabled()),
                c.integer("gateway.audit.queue-capacity", DEFAULTS.queueCapacity()),
                c.integer("gateway.audit.batch-size", DEFAULTS.batchSize()),
                c.longValue("gateway.audit.flush-interval-ms", DEFAULTS.flushIntervalMs()));
    }
}
