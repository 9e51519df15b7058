package dev.berth.kit;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * What every JSON admin API repeats: routes whose handlers return a {@link Future}, and one failure
 * handler that turns what they throw into {@code {"error":{"code","message"}}} bodies ({@link ErrorBody}).
 */
public final class JsonApi {

    private JsonApi() {
    }

    /** A failure a handler raises on purpose: its {@code status} and {@code code} reach the client with its message. */
    public record Refusal(Class<? extends Throwable> type, int status, String code) {
    }

    /** A route handler running {@code handler}; a thrown or failed result goes to the route's failure handler. */
    public static Handler<RoutingContext> run(Function<RoutingContext, Future<?>> handler) {
        return ctx -> {
            Future<?> done;
            try {
                done = handler.apply(ctx);
            } catch (RuntimeException e) {
                done = Future.failedFuture(e);
            }
            done.onFailure(ctx::fail);
        };
    }

    /**
     * The failure handler: {@link IllegalArgumentException} is 400 {@code invalidCode}, each refusal its own
     * status and code, a body over {@code maxBodyBytes} 413 {@code body_too_large}, other 4xx
     * {@code bad_request}, anything else 500 {@code internal_error}, logged with {@code what} failed.
     */
    public static Handler<RoutingContext> failures(String invalidCode, long maxBodyBytes, Logger log, String what,
                                                   Refusal... refusals) {
        return ctx -> {
            if (ctx.response().ended()) {
                return;
            }
            Throwable e = ctx.failure();
            if (e instanceof IllegalArgumentException) {
                ErrorBody.send(ctx.response(), 400, invalidCode, e.getMessage());
                return;
            }
            for (Refusal refusal : refusals) {
                if (refusal.type().isInstance(e)) {
                    ErrorBody.send(ctx.response(), refusal.status(), refusal.code(), e.getMessage());
                    return;
                }
            }
            if (ctx.statusCode() == 413) {
                ErrorBody.send(ctx.response(), 413, "body_too_large", "request body exceeds " + maxBodyBytes + " bytes");
            } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
                ErrorBody.send(ctx.response(), ctx.statusCode(), "bad_request", "the request could not be read");
            } else {
                log.error("{} request failed", what, e);
                ErrorBody.send(ctx.response(), 500, "internal_error", "internal error; see the service log");
            }
        };
    }

    /**
     * The request's body as a JSON object: Content-Type {@code application/json} and an object, else an
     * {@link IllegalArgumentException} (400 through {@link #failures}) saying which.
     */
    public static JsonObject objectBody(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new IllegalArgumentException("Content-Type must be application/json");
        }
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("body is not a JSON object: " + e.getMessage());
        }
        if (body == null) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        return body;
    }
}
