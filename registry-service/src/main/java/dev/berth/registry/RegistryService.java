package dev.berth.registry;

import dev.berth.kit.Database;
import dev.berth.kit.ServerPorts;
import dev.berth.kit.events.EventPublisher;
import dev.berth.registry.events.OutboxRelay;
import dev.berth.registry.gc.GarbageCollector;
import dev.berth.registry.gc.GcRunner;
import dev.berth.registry.gc.GcScheduler;
import dev.berth.kit.events.Topics;
import dev.berth.registry.history.HistoryPurge;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.policy.PolicyStore;
import dev.berth.registry.policy.Retention;
import dev.berth.registry.policy.RetentionScheduler;
import dev.berth.registry.storage.BlobDriver;
import dev.berth.registry.storage.BlobStore;
import dev.berth.registry.storage.FilesystemDriver;
import dev.berth.registry.storage.S3Driver;
import dev.berth.registry.webhooks.Webhooks;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** Starts the registry: migrates its schema, opens storage, and serves the API on every event loop. */
public final class RegistryService {

    private final Vertx vertx;
    private final Pool pool;
    private final List<String> deployments;
    private final int port;
    private final RegistryRoutes routes;
    private BlobDriver storage;

    private RegistryService(Vertx vertx, Pool pool, List<String> deployments, int port,
                            RegistryRoutes routes) {
        this.vertx = vertx;
        this.pool = pool;
        this.deployments = deployments;
        this.port = port;
        this.routes = routes;
    }

    /**
     * Adds this registry's distribution API ({@code /v2}) to another server's router in this JVM;
     * {@code berth up}'s gateway serves it in-process this way instead of over loopback.
     */
    public void mountDistribution(Router router) {
        routes.mountDistribution(router);
    }

    /** Adds this registry's REST API ({@code /api/v1/...}) to another server's router in this JVM. */
    public void mountRest(Router router, Vertx on) {
        routes.mountRest(router, on);
    }

    /**
     * The blob driver {@code registry.storage.driver} names; a filesystem root is created if missing,
     * an S3 bucket too. Public for tools that work on the blob store without serving the API.
     */
    public static Future<BlobDriver> openStorage(Vertx vertx, RegistryConfig config) {
        if (config.storageDriver().equals("s3")) {
            return S3Driver.start(vertx, config.s3()).map(driver -> (BlobDriver) driver);
        }
        return vertx.executeBlocking(() -> Files.createDirectories(config.storageRoot()))
                .map(dir -> new FilesystemDriver(vertx, dir));
    }

    public static Future<RegistryService> start(Vertx vertx, RegistryConfig config) {
        return openStorage(vertx, config).compose(driver -> Database.migrate(vertx, config.database(),
                        "classpath:db/registry")
                .compose(v -> {
                    Pool pool = Database.pool(vertx, config.database());
                    OutboxRelay relay = config.kafkaBootstrapServers().isBlank() ? null
                            : new OutboxRelay(pool, EventPublisher.create(vertx, config.kafkaBootstrapServers()),
                                    config.outboxPollMs(), 500);
                    MetadataStore metadata = relay == null ? new MetadataStore(pool)
                            : new MetadataStore(pool, () -> vertx.eventBus().send(OutboxRelay.NUDGE, null));
                    BlobStore blobs = new BlobStore(driver);
                    GcRunner gc = new GcRunner(pool, new GarbageCollector(pool, blobs, config.gc()));
                    int port = ServerPorts.shareable(config.port());
                    List<RegistryVerticle> started = new java.util.concurrent.CopyOnWriteArrayList<>();
                    return vertx.deployVerticle(() -> {
                        RegistryVerticle verticle = new RegistryVerticle(config, port, metadata, blobs, gc);
                        started.add(verticle);
                        return verticle;
                    }, new DeploymentOptions().setInstances(config.instances())).map(id ->
                            new RegistryService(vertx, pool, new ArrayList<>(List.of(id)),
                                    started.get(0).actualPort(),
                                    new RegistryRoutes(config, metadata, blobs, gc)))
                            .compose(service -> relay == null ? Future.succeededFuture(service)
                                    : vertx.deployVerticle(relay).map(relayId -> {
                                        service.deployments.add(relayId);
                                        return service;
                                    }))
                            .compose(service -> Webhooks.deploy(vertx, pool, config.webhooks(), config.kafkaBootstrapServers())
                                    .map(ids -> {
                                        service.deployments.addAll(ids);
                                        return service;
                                    }))
                            .compose(service -> config.gc().interval() == null ? Future.succeededFuture(service)
                                    : vertx.deployVerticle(new GcScheduler(gc, config.gc().interval())).map(id -> {
                                        service.deployments.add(id);
                                        return service;
                                    }))
                            .compose(service -> config.historyKeep() == null ? Future.succeededFuture(service)
                                    : vertx.deployVerticle(historyPurge(vertx, pool, config)).map(id -> {
                                        service.deployments.add(id);
                                        return service;
                                    }))
                            .compose(service -> !config.policies().scheduled() ? Future.succeededFuture(service)
                                    : vertx.deployVerticle(retentionScheduler(metadata, config)).map(id -> {
                                        service.deployments.add(id);
                                        return service;
                                    }))
                            .map(service -> {
                                service.storage = driver;
                                return service;
                            })
                            .recover(e -> pool.close().transform(ignored -> Future.failedFuture(e)));
                })
                .recover(e -> driver.close().transform(ignored -> Future.failedFuture(e))));
    }

    /** With Kafka, the purge keeps inbox entries as long as the events topic could hand an event over again. */
    private static HistoryPurge historyPurge(Vertx vertx, Pool pool, RegistryConfig config) {
        String kafka = config.kafkaBootstrapServers();
        return kafka.isBlank() ? new HistoryPurge(pool, config.historyKeep())
                : new HistoryPurge(vertx, pool, config.historyKeep(), HistoryPurge.forTopic(kafka, Topics.REGISTRY_EVENTS));
    }

    private static RetentionScheduler retentionScheduler(MetadataStore metadata, RegistryConfig config) {
        PolicyStore store = new PolicyStore(metadata.pool());
        return new RetentionScheduler(new Retention(metadata, store), store, config.policies().retentionInterval());
    }

    public int port() {
        return port;
    }

    public Future<Void> stop() {
        List<Future<?>> undeploys = deployments.stream().<Future<?>>map(vertx::undeploy).toList();
        return Future.join(undeploys).transform(ar -> pool.close())
                .eventually(() -> storage == null ? Future.succeededFuture() : storage.close());
    }
}
