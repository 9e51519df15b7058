package dev.berth.agent.api;

import dev.berth.agent.containers.ContainerManager;
import dev.berth.agent.containers.ContainerStatus;
import dev.berth.agent.runtime.Signals;
import dev.berth.agent.spec.ContainerSpec;
import dev.berth.agent.spec.ContainerSpecJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v1/containers}: create, inspect, list, start, kill, stop, delete. */
final class ContainersApi {

    private static final long BODY_LIMIT = 256 * 1024;
    private static final long DEFAULT_STOP_TIMEOUT = 10;

    private final ContainerManager manager;

    ContainersApi(ContainerManager manager) {
        this.manager = manager;
    }

    void mount(Router router) {
        router.post("/v1/containers").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT)).handler(this::create);
        router.get("/v1/containers").handler(this::list);
        router.get("/v1/containers/:id").handler(this::get);
        router.post("/v1/containers/:id/start").handler(ctx -> Replies.blocking(ctx, 200,
                () -> manager.start(ctx.pathParam("id")).toJson()));
        router.post("/v1/containers/:id/kill").handler(this::kill);
        router.post("/v1/containers/:id/stop").handler(this::stop);
        router.delete("/v1/containers/:id").handler(this::delete);
    }

    private void create(RoutingContext ctx) {
        ContainerSpec spec;
        try {
            if (ctx.body().buffer() == null || ctx.body().length() == 0) {
                throw new Replies.BadRequest("INVALID_JSON", "the body must be a JSON container spec");
            }
            Object parsed = io.vertx.core.json.Json.decodeValue(ctx.body().buffer());
            if (!(parsed instanceof JsonObject object)) {
                throw new Replies.BadRequest("INVALID_JSON", "the body must be a JSON object");
            }
            spec = ContainerSpecJson.parse(object);
        } catch (RuntimeException e) {
            Replies.error(ctx, e);
            return;
        }
        Replies.blocking(ctx, 201, () -> manager.create(spec).toJson());
    }

    private void get(RoutingContext ctx) {
        try {
            Replies.json(ctx, 200, manager.get(ctx.pathParam("id")).toJson()); // in memory: no blocking
        } catch (RuntimeException e) {
            Replies.error(ctx, e);
        }
    }

    private void list(RoutingContext ctx) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String filter : ctx.queryParam("label")) {
            int eq = filter.indexOf('=');
            if (eq <= 0) {
                Replies.error(ctx, new Replies.BadRequest("INVALID_PARAMETER", "label must be key=value, got " + filter));
                return;
            }
            labels.put(filter.substring(0, eq), filter.substring(eq + 1));
        }
        JsonArray containers = new JsonArray();
        for (ContainerStatus status : manager.list(labels)) {
            containers.add(status.toJson());
        }
        Replies.json(ctx, 200, new JsonObject().put("containers", containers));
    }

    private void kill(RoutingContext ctx) {
        String signal;
        try {
            String given = QueryParams.single(ctx, "signal");
            signal = given == null || given.isEmpty() ? "SIGKILL" : Signals.canonical(given).orElseThrow(
                    () -> new Replies.BadRequest("INVALID_SIGNAL", "unknown signal " + given));
        } catch (RuntimeException e) {
            Replies.error(ctx, e);
            return;
        }
        Replies.blocking(ctx, 200, () -> manager.kill(ctx.pathParam("id"), signal).toJson());
    }

    private void stop(RoutingContext ctx) {
        long timeout;
        try {
            timeout = QueryParams.nonNegative(ctx, "timeout", DEFAULT_STOP_TIMEOUT);
        } catch (RuntimeException e) {
            Replies.error(ctx, e);
            return;
        }
        Replies.blocking(ctx, 200, () -> manager.stop(ctx.pathParam("id"), timeout).toJson());
    }

    private void delete(RoutingContext ctx) {
        boolean force;
        try {
            force = QueryParams.bool(ctx, "force", false);
        } catch (RuntimeException e) {
            Replies.error(ctx, e);
            return;
        }
        Replies.blocking(ctx, 204, () -> {
            manager.delete(ctx.pathParam("id"), force);
            return null;
        });
    }
}
