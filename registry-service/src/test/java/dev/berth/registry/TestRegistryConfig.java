package dev.berth.registry;

import dev.berth.infra.PostgresDatabase;
import dev.berth.kit.Config;
import java.nio.file.Path;
import java.util.Map;

/** The settings every registry test starts from: a random port, its own database and storage. */
public final class TestRegistryConfig {

    private TestRegistryConfig() {
    }

    public static Config of(PostgresDatabase db, Path storage) {
        return Config.of(Map.of(), Map.of())
                .with("registry.port", 0)
                .with("registry.instances", 1)
                .with("registry.storage.root-dir", storage.toString())
                .with("registry.database.host", db.host())
                .with("registry.database.port", db.port())
                .with("registry.database.name", db.database())
                .with("registry.database.user", db.user())
                .with("registry.database.password", db.password());
    }
}
