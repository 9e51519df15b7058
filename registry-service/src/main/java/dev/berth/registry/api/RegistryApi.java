package dev.berth.registry.api;

import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.storage.BlobStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
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

        String uploads = NAME + "/blobs/uploads/?";
        String uploadSession = NAME + "/blobs/uploads/(?<uuid>[^/]+)";
        route(router, HttpMethod.POST, uploads, upload::start);
        route(router, HttpMethod.GET, uploadSession, upload::status);
        route(router, HttpMethod.PATCH, uploadSession, upload::patch);
        route(router, HttpMethod.PUT, uploadSession, upload::complete);
        route(router, HttpMethod.DELETE, uploadSession, upload::cancel);

        String blobPath = NAME + "/blobs/" + DIGEST;
        route(router, HttpMethod.GET, blobPath, blob::get);
        route(router, HttpMethod.HEAD, blobPath, blob::get);
        route(router, HttpMethod.DELETE, blobPath, blob::delete);

        String manifestPath = NAME + "/manifests/(?<reference>[^/]+)";
        route(router, HttpMethod.GET, manifestPath, manifest::get);
        route(router, HttpMethod.HEAD, manifestPath, manifest::get);
        route(router, HttpMethod.PUT, manifestPath, manifest::put);
        route(router, HttpMethod.DELETE, manifestPath, manifest::delete);

        route(router, HttpMethod.GET, NAME + "/tags/list", listing::tags);
        route(router, HttpMethod.GET, NAME + "/referrers/" + DIGEST, referrers::list);
    }

    private static void route(Router router, HttpMethod method, String regex, Function<RoutingContext, Future<?>> handler) {
        router.routeWithRegex(method, regex).handler(run(handler));
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
