package dev.berth.registry;

import dev.berth.kit.OpsRoutes;
import dev.berth.kit.RequestLog;
import dev.berth.registry.api.RegistryApi;
import dev.berth.registry.gc.GcApi;
import dev.berth.registry.gc.GcRunner;
import dev.berth.registry.auth.TokenCheck;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.policy.PolicyApi;
import dev.berth.registry.storage.BlobStore;
import dev.berth.registry.webhooks.WebhookApi;
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
        mountApi(router, vertx, config, metadata, blobs, gc);
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host())
                .setPort(port)
                .setHandle100ContinueAutomatically(true)
                .setTcpNoDelay(true)
                .setCompressionSupported(false);
        return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s);
    }

    /**
     * The registry's API routes ({@code /v2}, {@code /api/v1}) on {@code router}: its own server's, or, in
     * {@code berth up}, the gateway's, which then serves the registry in-process.
     */
    static void mountApi(Router router, Vertx vertx, RegistryConfig config, MetadataStore metadata, BlobStore blobs,
                         GcRunner gc) {
        // Handlers look things up before they read a body: hold it until they do.
        router.route().handler(ctx -> {
            ctx.request().pause();
            ctx.next();
        });
        if (config.auth() != null && config.auth().enabled()) {
            router.route().handler(new TokenCheck(config.auth())::handle);
        }
        RegistryApi.mount(router, metadata, blobs, config.sendfilePulls());
        WebhookApi.mount(router, vertx, metadata.pool(), config.webhooks());
        GcApi.mount(router, gc);
        PolicyApi.mount(router, metadata);
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
