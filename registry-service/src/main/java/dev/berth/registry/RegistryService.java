package dev.berth.registry;

import dev.berth.kit.Database;
import dev.berth.kit.ServerPorts;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.storage.BlobStore;
import dev.berth.registry.storage.FilesystemDriver;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.util.List;

/** Starts the registry: migrates its schema, opens storage, and serves the API on every event loop. */
public final class RegistryService {

    private final Vertx vertx;
    private final Pool pool;
    private final List<String> deployments;
    private final int port;

    private RegistryService(Vertx vertx, Pool pool, List<String> deployments, int port) {
        this.vertx = vertx;
        this.pool = pool;
        this.deployments = deployments;
        this.port = port;
    }

    public static Future<RegistryService> start(Vertx vertx, RegistryConfig config) {
        return vertx.executeBlocking(() -> Files.createDirectories(config.storageRoot()))
                .compose(v -> Database.migrate(vertx, config.database(), "classpath:db/registry"))
                .compose(v -> {
                    Pool pool = Database.pool(vertx, config.database());
                    MetadataStore metadata = new MetadataStore(pool);
                    BlobStore blobs = new BlobStore(new FilesystemDriver(vertx, config.storageRoot()));
                    int port = ServerPorts.shareable(config.port());
                    List<RegistryVerticle> started = new java.util.concurrent.CopyOnWriteArrayList<>();
                    return vertx.deployVerticle(() -> {
                        RegistryVerticle verticle = new RegistryVerticle(config, port, metadata, blobs);
                        started.add(verticle);
                        return verticle;
                    }, new DeploymentOptions().setInstances(config.instances())).map(id ->
                            new RegistryService(vertx, pool, List.of(id), started.get(0).actualPort()))
                            .recover(e -> pool.close().transform(ignored -> Future.failedFuture(e)));
                });
    }

    public int port() {
        return port;
    }

    public Future<Void> stop() {
        List<Future<?>> undeploys = deployments.stream().<Future<?>>map(vertx::undeploy).toList();
        return Future.join(undeploys).transform(ar -> pool.close());
    }
}
