package dev.berth.agent.image;

import dev.berth.kit.ErrorBody;
import dev.berth.oci.Digest;
import dev.berth.oci.client.Credentials;
import dev.berth.oci.client.ImageReference;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.Set;

/**
 * The node agent's images REST API over an {@link ImageStore}. Authentication is the server's business
 * (it guards {@code /v1/*} before mounting this); every store call runs on a worker thread.
 * <ul>
 *   <li>{@code POST /v1/images/pull} {@code {"reference", "username"?, "password"?}}: 200 and
 *       {@code application/x-ndjson} progress lines as the pull goes, ending with
 *       {@code {"status":"done","digest":...}} or {@code {"status":"error","error":{...}}}</li>
 *   <li>{@code GET /v1/images}, {@code GET /v1/images/:digest}</li>
 *   <li>{@code DELETE /v1/images/:ref?force=true|false} (the reference may hold slashes)</li>
 *   <li>{@code POST /v1/images/gc}</li>
 * </ul>
 */
public final class ImagesApi {

    private static final int MAX_BODY_BYTES = 16 * 1024;
    private static final Set<String> PULL_FIELDS = Set.of("reference", "username", "password");
    private static final Map<String, Integer> STATUS = Map.of(
            "INVALID_REFERENCE", 400, "INVALID_REQUEST", 400, "IMAGE_NOT_FOUND", 404, "IMAGE_IN_USE", 409);

    private final Vertx vertx;
    private final ImageStore store;

    public ImagesApi(Vertx vertx, ImageStore store) {
        this.vertx = vertx;
        this.store = store;
    }

    public void mount(Router router) {
        router.post("/v1/images/pull").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)).handler(this::pull)
                .failureHandler(ctx -> ErrorBody.send(ctx.response(), ctx.statusCode() == 413 ? 413 : 500,
                        ctx.statusCode() == 413 ? "BODY_TOO_LARGE" : "INTERNAL",
                        ctx.statusCode() == 413 ? "the body is larger than " + MAX_BODY_BYTES + " bytes"
                                : "the request failed"));
        router.post("/v1/images/gc").handler(this::gc);
        router.get("/v1/images").handler(this::list);
        router.get("/v1/images/:digest").handler(this::get);
        router.deleteWithRegex("/v1/images/(?<ref>.+)").handler(this::remove);
    }

    private void pull(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            fail(ctx, "INVALID_REQUEST", "the body must be a JSON object");
            return;
        }
        if (body == null) {
            fail(ctx, "INVALID_REQUEST", "the body must be a JSON object with a reference");
            return;
        }
        for (String field : body.fieldNames()) {
            if (!PULL_FIELDS.contains(field)) {
                fail(ctx, "INVALID_REQUEST", "unknown field " + field);
                return;
            }
            if (!(body.getValue(field) instanceof String)) {
                fail(ctx, "INVALID_REQUEST", field + " must be a string");
                return;
            }
        }
        String reference = body.getString("reference");
        if (reference == null || reference.isEmpty()) {
            fail(ctx, "INVALID_REQUEST", "reference is required");
            return;
        }
        try {
            ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            fail(ctx, "INVALID_REFERENCE", e.getMessage());
            return;
        }
        String username = body.getString("username");
        String password = body.getString("password");
        Credentials credentials = null;
        if (username != null || password != null) {
            try {
                credentials = new Credentials(username, password);
            } catch (IllegalArgumentException e) {
                fail(ctx, "INVALID_REQUEST", "username and password go together; " + e.getMessage());
                return;
            }
        }
        HttpServerResponse response = ctx.response().setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "application/x-ndjson");
        response.writeHead();
        Context context = vertx.getOrCreateContext();
        Credentials creds = credentials;
        vertx.executeBlocking(() -> store.pull(reference, creds,
                        event -> context.runOnContext(v -> line(response, ImageJson.event(event)))), false)
                .onComplete(result -> {
                    JsonObject last = result.succeeded()
                            ? new JsonObject().put("status", "done").put("digest", result.result().digest())
                                    .put("references", new JsonArray(result.result().references()))
                            : new JsonObject().put("status", "error").put("error", error(result.cause()));
                    if (!response.closed()) {
                        response.end(last.encode() + "\n");
                    }
                });
    }

    private void list(RoutingContext ctx) {
        vertx.executeBlocking(store::list, false).onComplete(result -> {
            if (result.failed()) {
                fail(ctx, result.cause());
                return;
            }
            JsonArray images = new JsonArray();
            result.result().forEach(image -> images.add(ImageJson.image(image)));
            json(ctx, 200, new JsonObject().put("images", images));
        });
    }

    private void get(RoutingContext ctx) {
        String digest = ctx.pathParam("digest");
        if (!Digest.isValid(digest)) {
            fail(ctx, "INVALID_REFERENCE", "not a digest: " + digest);
            return;
        }
        vertx.executeBlocking(() -> {
            StoredImage image = store.get(digest)
                    .orElseThrow(() -> new ImageStoreException("IMAGE_NOT_FOUND", "no image " + digest + " in the store"));
            return ImageJson.image(image).put("config", new JsonObject(io.vertx.core.buffer.Buffer.buffer(store.config(image))));
        }, false).onComplete(result -> {
            if (result.failed()) {
                fail(ctx, result.cause());
            } else {
                json(ctx, 200, result.result());
            }
        });
    }

    private void remove(RoutingContext ctx) {
        String ref = ctx.pathParam("ref");
        String force = ctx.queryParams().get("force");
        if (force != null && !force.equals("true") && !force.equals("false")) {
            fail(ctx, "INVALID_REQUEST", "force must be true or false");
            return;
        }
        vertx.executeBlocking(() -> store.remove(ref, "true".equals(force)), false).onComplete(result -> {
            if (result.failed()) {
                fail(ctx, result.cause());
            } else {
                json(ctx, 200, new JsonObject().put("removed", ref).put("image", ImageJson.image(result.result())));
            }
        });
    }

    private void gc(RoutingContext ctx) {
        vertx.executeBlocking(store::gc, false).onComplete(result -> {
            if (result.failed()) {
                fail(ctx, result.cause());
            } else {
                json(ctx, 200, ImageJson.gc(result.result()));
            }
        });
    }

    private static void line(HttpServerResponse response, JsonObject line) {
        if (!response.closed() && !response.ended()) {
            response.write(line.encode() + "\n");
        }
    }

    private static JsonObject error(Throwable cause) {
        if (cause instanceof ImageStoreException e) {
            return ErrorBody.of(e.code(), e.getMessage()).getJsonObject("error");
        }
        return ErrorBody.of("INTERNAL", "the pull failed: " + cause).getJsonObject("error");
    }

    private static void fail(RoutingContext ctx, Throwable cause) {
        if (cause instanceof ImageStoreException e) {
            fail(ctx, e.code(), e.getMessage());
        } else {
            ErrorBody.send(ctx.response(), 500, "INTERNAL", "the image store failed: " + cause.getMessage());
        }
    }

    private static void fail(RoutingContext ctx, String code, String message) {
        ErrorBody.send(ctx.response(), STATUS.getOrDefault(code, 500), code, message);
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
