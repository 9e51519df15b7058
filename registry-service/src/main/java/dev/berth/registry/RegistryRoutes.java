package dev.berth.registry;

import dev.berth.registry.api.RegistryApi;
import dev.berth.registry.auth.TokenCheck;
import dev.berth.registry.gc.GcApi;
import dev.berth.registry.gc.GcRunner;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.policy.PolicyApi;
import dev.berth.registry.storage.BlobStore;
import dev.berth.registry.webhooks.WebhookApi;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * The registry's API routes, on its own server's router or, in {@code berth up}, on the gateway's, which
 * then serves the registry in-process. Two parts, so the gateway can put its own routes between them.
 */
record RegistryRoutes(RegistryConfig config, MetadataStore metadata, BlobStore blobs, GcRunner gc) {

    /** The distribution API, {@code /v2}. */
    void mountDistribution(Router router) {
        mountChecks(router, "/v2*");
        RegistryApi.mount(router, metadata, blobs, config.sendfilePulls());
    }

    /** The REST API: webhooks, garbage collection, namespace policies under {@code /api/v1}. */
    void mountRest(Router router, Vertx vertx) {
        mountChecks(router, "/api/v1/*");
        WebhookApi.mount(router, vertx, metadata.pool(), config.webhooks());
        GcApi.mount(router, gc);
        PolicyApi.mount(router, metadata);
    }

    private void mountChecks(Router router, String paths) {
        // Handlers look things up before they read a body: hold it until they do.
        router.route(paths).handler(ctx -> {
            ctx.request().pause();
            ctx.next();
        });
        if (config.auth() != null && config.auth().enabled()) {
            router.route(paths).handler(new TokenCheck(config.auth())::handle);
        }
    }
}
