package dev.berth.registry;

import dev.berth.kit.Config;
import dev.berth.kit.DatabaseConfig;
import java.nio.file.Path;

/**
 * The registry service's settings. Keys (each overridable by env, e.g. BERTH_REGISTRY_PORT):
 * registry.host, registry.port, registry.instances (event-loop verticles), registry.storage.driver
 * (filesystem), registry.storage.root-dir, registry.database.* (see DatabaseConfig).
 */
public record RegistryConfig(String host, int port, int instances, String storageDriver, Path storageRoot,
                             DatabaseConfig database) {

    public static RegistryConfig from(Config c) {
        String driver = c.string("registry.storage.driver", "filesystem");
        if (!driver.equals("filesystem")) {
            throw new IllegalArgumentException("registry.storage.driver: unknown driver '" + driver
                    + "' (this build has: filesystem)");
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
                DatabaseConfig.from(c, "registry.database"));
    }
}
