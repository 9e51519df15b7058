package dev.berth.agent.api;

import dev.berth.agent.containers.ContainerException;
import dev.berth.agent.spec.InvalidSpecException;
import dev.berth.kit.ErrorBody;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an operation off the event loop and answers with its JSON or the error envelope. */
final class Replies {

    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {
    }

    /** {@code work} returns the body, or null for an empty 204. */
    static void blocking(RoutingContext ctx, int status, Callable<JsonObject> work) {
        ctx.vertx().executeBlocking(work, false).onComplete(done -> {
            if (done.succeeded()) {
                if (done.result() == null) {
                    ctx.response().setStatusCode(204).end();
                } else {
                    json(ctx, status, done.result());
                }
            } else {
                error(ctx, done.cause());
            }
        });
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    static void error(RoutingContext ctx, Throwable cause) {
        if (ctx.response().ended()) {
            return;
        }
        if (cause instanceof ContainerException e) {
            if (e.status() >= 500) {
                LOG.warn("{} {}: {}", ctx.request().method(), ctx.request().path(), e.getMessage());
            }
            ErrorBody.send(ctx.response(), e.status(), e.code(), e.getMessage());
        } else if (cause instanceof InvalidSpecException e) {
            ErrorBody.send(ctx.response(), 400, "INVALID_SPEC", e.getMessage());
        } else if (cause instanceof DecodeException) {
            ErrorBody.send(ctx.response(), 400, "INVALID_JSON", "the body is not a JSON object");
        } else if (cause instanceof BadRequest e) {
            ErrorBody.send(ctx.response(), 400, e.code, e.getMessage());
        } else {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), cause);
            ErrorBody.send(ctx.response(), 500, "INTERNAL", String.valueOf(cause.getMessage()));
        }
    }

    /** A query parameter or body the client got wrong. */
    static final class BadRequest extends RuntimeException {
        final String code;

        BadRequest(String code, String message) {
            super(message);
            this.code = code;
        }
    }
}
