package dev.berth.registry.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the distribution spec's error envelope and the small bodies the API returns. */
final class Responses {

    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

    private Responses() {
    }

    static Future<Void> json(RoutingContext ctx, int status, String contentType, JsonObject body) {
        return ctx.response().setStatusCode(status).putHeader("Content-Type", contentType).end(body.toBuffer());
    }

    static JsonObject envelope(String code, String message, Object detail) {
        JsonObject error = new JsonObject().put("code", code).put("message", message).put("detail", detail);
        return new JsonObject().put("errors", new JsonArray().add(error));
    }

    /** Whether {@code failure} says the connection went away under the response (reset, broken pipe, closed). */
    static boolean clientLeft(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpClosedException || t instanceof ClosedChannelException) {
                return true;
            }
            String message = t.getMessage();
            if (t instanceof IOException && message != null
                    && (message.contains("Connection reset by peer") || message.contains("Broken pipe"))) {
                return true;
            }
        }
        return false;
    }

    /** The router's failure handler: spec errors as they are, anything else as a logged 500. */
    static void failure(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        Throwable failure = ctx.failure();
        if (response.headWritten()) {
            if (failure != null && clientLeft(failure)) {
                // A client that stops reading mid-body (a cancelled pull) is no server failure.
                LOG.debug("client left during {} {}: {}", ctx.request().method(), ctx.request().path(), failure.toString());
            } else if (failure != null) {
                LOG.warn("request failed after its response started: {} {}", ctx.request().method(),
                        ctx.request().path(), failure);
            }
            response.reset();
            return;
        }
        int status;
        JsonObject body;
        if (failure instanceof RegistryException e) {
            status = e.status();
            body = envelope(e.code().name(), e.getMessage(), e.detail());
        } else if (failure != null) {
            LOG.error("request failed: {} {}", ctx.request().method(), ctx.request().path(), failure);
            status = 500;
            body = envelope("UNKNOWN", "internal error", null);
        } else {
            status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            String code = switch (status) {
                case 404 -> "NOT_FOUND";
                case 405 -> "UNSUPPORTED";
                case 413 -> "SIZE_INVALID";
                default -> "UNKNOWN";
            };
            body = envelope(code, "request failed with status " + status, null);
        }
        // A request whose body was not read cannot leave the connection reusable.
        if (!ctx.request().isEnded()) {
            response.putHeader("Connection", "close");
        }
        response.headers().remove("Content-Length");
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
    }
}
