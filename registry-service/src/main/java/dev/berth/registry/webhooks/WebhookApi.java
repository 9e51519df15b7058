package dev.berth.registry.webhooks;

import dev.berth.kit.ErrorBody;
import dev.berth.kit.JsonApi;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * The webhook REST API under {@code /api/v1/webhooks}: subscriptions (create, list, read, replace,
 * delete), their deliveries (newest first, paginated) and redelivery. Errors are {@link ErrorBody}.
 */
public final class WebhookApi {

    /** Subscriptions are a few hundred bytes; anything much larger is a mistake or an attack. */
    static final long MAX_BODY_BYTES = 16 * 1024;
    private static final Handler<RoutingContext> FAILURES = JsonApi.failures(
            "invalid_webhook", MAX_BODY_BYTES, LoggerFactory.getLogger(WebhookApi.class), "webhook API",
            new JsonApi.Refusal(TargetGuard.RefusedTarget.class, 400, "target_not_allowed"),
            new JsonApi.Refusal(NotFound.class, 404, "not_found"));
    static final int DEFAULT_PAGE = 20;
    static final int MAX_PAGE = 100;

    private final WebhookStore store;
    private final TargetGuard guard;

    private WebhookApi(WebhookStore store, TargetGuard guard) {
        this.store = store;
        this.guard = guard;
    }

    /** Adds the {@code /api/v1/webhooks} routes to {@code router}. */
    public static void mount(Router router, Vertx vertx, Pool pool, WebhookSettings settings) {
        WebhookApi api = new WebhookApi(new WebhookStore(pool),
                new TargetGuard(vertx, settings.allowPrivateTargets()));
        String base = "/api/v1/webhooks";
        router.route(base + "*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .failureHandler(FAILURES);
        router.post(base).handler(JsonApi.run(api::create));
        router.get(base).handler(JsonApi.run(api::list));
        router.get(base + "/:id").handler(JsonApi.run(api::get));
        router.put(base + "/:id").handler(JsonApi.run(api::replace));
        router.delete(base + "/:id").handler(JsonApi.run(api::delete));
        router.get(base + "/:id/deliveries").handler(JsonApi.run(api::deliveries));
        router.post(base + "/:id/deliveries/:deliveryId/redeliver").handler(JsonApi.run(api::redeliver));
    }

    private Future<?> create(RoutingContext ctx) {
        SubscriptionInput in = input(ctx);
        return guard.check(in.targetUrl())
                .compose(v -> store.create(in))
                .compose(s -> json(ctx, 201, s.toJson(true)));
    }

    private Future<?> list(RoutingContext ctx) {
        return store.list().compose(all -> json(ctx, 200, new JsonObject().put("webhooks",
                new JsonArray(all.stream().map(s -> s.toJson(false)).toList()))));
    }

    private Future<?> get(RoutingContext ctx) {
        return store.get(id(ctx)).compose(s -> s == null ? notFound(ctx) : json(ctx, 200, s.toJson(false)));
    }

    private Future<?> replace(RoutingContext ctx) {
        UUID id = id(ctx);
        SubscriptionInput in = input(ctx);
        return guard.check(in.targetUrl())
                .compose(v -> store.replace(id, in))
                .compose(s -> s == null ? notFound(ctx) : json(ctx, 200, s.toJson(false)));
    }

    private Future<?> delete(RoutingContext ctx) {
        return store.delete(id(ctx)).compose(found -> found
                ? ctx.response().setStatusCode(204).end() : notFound(ctx));
    }

    private Future<?> deliveries(RoutingContext ctx) {
        UUID id = id(ctx);
        int limit = (int) number(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        long before = number(ctx, "before", Long.MAX_VALUE, 1, Long.MAX_VALUE);
        return store.get(id).compose(s -> s == null ? notFound(ctx) : store.deliveries(id, before, limit)
                .compose(page -> {
                    String next = null;
                    if (page.size() == limit) {
                        next = "/api/v1/webhooks/" + id + "/deliveries?limit=" + limit + "&before="
                                + page.getJsonObject(page.size() - 1).getString("id");
                        ctx.response().putHeader("Link", "<" + next + ">; rel=\"next\"");
                    }
                    return json(ctx, 200, new JsonObject().put("deliveries", page).put("next", next));
                }));
    }

    private Future<?> redeliver(RoutingContext ctx) {
        UUID id = id(ctx);
        long deliveryId = pathNumber(ctx, "deliveryId");
        return store.get(id).compose(s -> {
            if (s == null) {
                return notFound(ctx);
            }
            if (!s.enabled()) {
                return ErrorBody.send(ctx.response(), 409, "webhook_disabled",
                        "webhook " + id + " is disabled (" + s.disabledReason() + "); enable it first");
            }
            return store.redeliver(id, deliveryId).compose(d -> {
                if (d == null) {
                    return ErrorBody.send(ctx.response(), 404, "delivery_not_found",
                            "webhook " + id + " has no delivery " + deliveryId);
                }
                ctx.vertx().eventBus().send(DeliveryWorker.NUDGE, null);
                return json(ctx, 202, d);
            });
        });
    }

    private static SubscriptionInput input(RoutingContext ctx) {
        JsonObject body = JsonApi.objectBody(ctx);
        return SubscriptionInput.parse(body);
    }

    private static UUID id(RoutingContext ctx) {
        try {
            return UUID.fromString(ctx.pathParam("id"));
        } catch (IllegalArgumentException e) {
            throw new NotFound("no webhook " + ctx.pathParam("id"));
        }
    }

    private static long pathNumber(RoutingContext ctx, String name) {
        try {
            return Long.parseLong(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw new NotFound("no delivery " + ctx.pathParam(name));
        }
    }

    private static long number(RoutingContext ctx, String name, long absent, long min, long max) {
        String text = ctx.request().getParam(name);
        if (text == null) {
            return absent;
        }
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("query parameter " + name + " must be an integer from " + min + " to " + max);
    }

    private static Future<Void> json(RoutingContext ctx, int status, JsonObject body) {
        return ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static Future<Void> notFound(RoutingContext ctx) {
        return ErrorBody.send(ctx.response(), 404, "webhook_not_found", "no webhook " + ctx.pathParam("id"));
    }

    /** A path naming nothing: 404 rather than 400, since no such resource can exist. */
    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }


}
