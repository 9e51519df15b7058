package dev.berth.registry.api;

import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.storage.BlobStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** The distribution API's routes, declared once in one table. */
public final class RegistryApi {

    private static final String NAME = "/v2/(?<name>[^?]+?)";
    private static final String DIGEST = "(?<digest>[^/]*:[^/]*)";

    private RegistryApi() {
    }

    /**
     * Adds every /v2 route to {@code router}; blob GETs of local files use {@code sendfile} when
     * {@code sendfilePulls}, else a memory map ({@link MappedFileBody}).
     */
    public static void mount(Router router, MetadataStore metadata, BlobStore blobs, boolean sendfilePulls) {
        BlobHandler blob = new BlobHandler(metadata, blobs, sendfilePulls);
        UploadHandler upload = new UploadHandler(metadata, blobs);
        ManifestHandler manifest = new ManifestHandler(metadata);
        ListingHandler listing = new ListingHandler(metadata);
        ReferrersHandler referrers = new ReferrersHandler(metadata);

        router.route("/v2/*").handler(ctx -> {
            ctx.response().putHeader("Docker-Distribution-API-Version", "registry/2.0");
            ctx.next();
        }).failureHandler(Responses::failure);

        router.get("/v2/").handler(ctx -> Responses.json(ctx, 200, "application/json", new io.vertx.core.json.JsonObject()));
        router.get("/v2/_catalog").handler(run(listing::catalog));

        // One route per path shape, the method chosen inside: the router then runs one regex per shape
        // instead of one per method. The shapes cannot match the same path (each ends in its own
        // segments), so their order changes no answer; the busiest go first.
        String manifestPath = NAME + "/manifests/(?<reference>[^/]+)";
        String blobPath = NAME + "/blobs/" + DIGEST;
        String uploads = NAME + "/blobs/uploads/?";
        String uploadSession = NAME + "/blobs/uploads/(?<uuid>[^/]+)";
        route(router, manifestPath, Map.of(HttpMethod.GET, manifest::get, HttpMethod.HEAD, manifest::get,
                HttpMethod.PUT, manifest::put, HttpMethod.DELETE, manifest::delete));
        route(router, blobPath, Map.of(HttpMethod.GET, blob::get, HttpMethod.HEAD, blob::get,
                HttpMethod.DELETE, blob::delete));
        route(router, uploads, Map.of(HttpMethod.POST, upload::start));
        route(router, uploadSession, Map.of(HttpMethod.GET, upload::status, HttpMethod.PATCH, upload::patch,
                HttpMethod.PUT, upload::complete, HttpMethod.DELETE, upload::cancel));
        route(router, NAME + "/tags/list", Map.of(HttpMethod.GET, listing::tags));
        route(router, NAME + "/referrers/" + DIGEST, Map.of(HttpMethod.GET, referrers::list));
    }

    /** A path shape's route; a method it does not serve fails with 405, as the router's own miss would. */
    private static void route(Router router, String regex, Map<HttpMethod, Function<RoutingContext, Future<?>>> handlers) {
        Map<HttpMethod, io.vertx.core.Handler<RoutingContext>> byMethod = new HashMap<>();
        handlers.forEach((method, handler) -> byMethod.put(method, run(handler)));
        router.routeWithRegex(regex).handler(ctx -> {
            io.vertx.core.Handler<RoutingContext> handler = byMethod.get(ctx.request().method());
            if (handler == null) {
                ctx.fail(405);
            } else {
                handler.handle(ctx);
            }
        });
    }

    private static io.vertx.core.Handler<RoutingContext> run(Function<RoutingContext, Future<?>> handler) {
        return ctx -> {
            try {
                handler.apply(ctx).onFailure(ctx::fail);
            } catch (RuntimeException e) {
                ctx.fail(e);
            }
        };
    }
}
