package dev.berth.registry;

import dev.berth.kit.OpsRoutes;
import dev.berth.kit.RequestLog;
import dev.berth.registry.gc.GcRunner;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.storage.BlobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.function.Supplier;

/** One event loop's HTTP server for the distribution API; several share the port. */
final class RegistryVerticle extends VerticleBase {

    private final RegistryConfig config;
    private final int port;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final GcRunner gc;
    private HttpServer server;

    RegistryVerticle(RegistryConfig config, int port, MetadataStore metadata, BlobStore blobs, GcRunner gc) {
        this.config = config;
        this.port = port;
        this.metadata = metadata;
        this.blobs = blobs;
        this.gc = gc;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(RequestLog.create("registry"));
        Map<String, Supplier<Future<?>>> checks = Map.of(
                "postgresql", () -> metadata.pool().query("select 1").execute(),
                "storage", () -> blobs.driver().probe());
        OpsRoutes.mount(router, checks);
        RegistryRoutes routes = new RegistryRoutes(config, metadata, blobs, gc);
        routes.mountDistribution(router);
        routes.mountRest(router, vertx);
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host())
                .setPort(port)
                .setHandle100ContinueAutomatically(true)
                // Registry clients speak HTTP/1.1 to a plain-text registry, as the gateway assumes too.
                .setHttp2ClearTextEnabled(false)
                .setTcpNoDelay(true)
                .setCompressionSupported(false);
        return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s);
    }

    int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> stop() {
        // Requests in flight may finish, within bounds: a stalled client must not block shutdown.
        return server == null ? Future.succeededFuture() : server.shutdown(10, java.util.concurrent.TimeUnit.SECONDS);
    }
}
