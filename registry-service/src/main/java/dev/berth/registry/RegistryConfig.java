package dev.berth.registry;

import dev.berth.kit.Config;
import dev.berth.kit.DatabaseConfig;
import dev.berth.registry.gc.GcSettings;
import dev.berth.registry.policy.PolicySettings;
import dev.berth.registry.auth.TokenAuthSettings;
import dev.berth.registry.storage.S3Settings;
import dev.berth.registry.webhooks.WebhookSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The registry service's settings. Keys (each overridable by env, e.g. BERTH_REGISTRY_PORT):
 * registry.host, registry.port, registry.instances (event-loop verticles), registry.storage.driver
 * (filesystem or s3), registry.storage.root-dir (filesystem), registry.storage.s3.* (see S3Settings; read
 * only when the driver is s3), registry.database.* (see DatabaseConfig),
 * registry.events.kafka-bootstrap-servers (empty: events stay in the outbox until a relay runs),
 * registry.events.outbox-poll-ms, registry.webhooks.* (see WebhookSettings), registry.gc.* (see GcSettings),
 * registry.retention.interval (see PolicySettings), registry.auth.* (see TokenAuthSettings; unset = no token checks),
 * registry.storage.pull-body (mapped or sendfile: how a blob GET writes a local file; see README),
 * registry.history.keep-days (published events and ended webhook deliveries are deleted when older; 0 keeps
 * them forever).
 */
public record RegistryConfig(String host, int port, int instances, String storageDriver, Path storageRoot,
                             DatabaseConfig database, String kafkaBootstrapServers, long outboxPollMs,
                             S3Settings s3, WebhookSettings webhooks, GcSettings gc, PolicySettings policies,
                             TokenAuthSettings auth, boolean sendfilePulls, Duration historyKeep) {

    public static RegistryConfig from(Config c) {
        String driver = c.string("registry.storage.driver", "filesystem");
        if (!driver.equals("filesystem") && !driver.equals("s3")) {
            throw new IllegalArgumentException("registry.storage.driver: unknown driver '" + driver
                    + "' (this build has: filesystem, s3)");
        }
        String pullBody = c.string("registry.storage.pull-body", "mapped");
        if (!pullBody.equals("mapped") && !pullBody.equals("sendfile")) {
            throw new IllegalArgumentException("registry.storage.pull-body: '" + pullBody + "' (mapped or sendfile)");
        }
        int keepDays = c.integer("registry.history.keep-days", 30);
        if (keepDays < 0) {
            throw new IllegalArgumentException("registry.history.keep-days must be 0 (keep forever) or more");
        }
        int instances = c.integer("registry.instances", Runtime.getRuntime().availableProcessors());
        if (instances < 1) {
            throw new IllegalArgumentException("registry.instances must be at least 1");
        }
        return new RegistryConfig(
                c.string("registry.host", "127.0.0.1"),
                c.integer("registry.port", 5001),
                instances,
                driver,
                Path.of(c.string("registry.storage.root-dir", "data/blobs")),
                DatabaseConfig.from(c, "registry.database"),
                c.string("registry.events.kafka-bootstrap-servers", ""),
                c.longValue("registry.events.outbox-poll-ms", 250),
                driver.equals("s3") ? S3Settings.from(c) : null,
                WebhookSettings.from(c),
                GcSettings.from(c),
                PolicySettings.from(c),
                TokenAuthSettings.from(c),
                pullBody.equals("sendfile"),
                keepDays == 0 ? null : Duration.ofDays(keepDays));
    }
}
