package dev.berth.registry.gc;

import dev.berth.kit.ErrorBody;
import dev.berth.kit.JsonApi;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Set;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * The garbage-collection admin API under {@code /api/v1/gc}: start a run ({@code POST /api/v1/gc}
 * with {@code {"dryRun": true|false}} → 202 and the run), list runs newest first, read one run with
 * its report. Errors are {@link ErrorBody}.
 */
public final class GcApi {

    static final long MAX_BODY_BYTES = 4 * 1024;
    private static final Handler<RoutingContext> FAILURES = JsonApi.failures(
            "invalid_request", MAX_BODY_BYTES, LoggerFactory.getLogger(GcApi.class), "garbage-collection API",
            new JsonApi.Refusal(GcRunner.Busy.class, 409, "gc_running"));
    static final int DEFAULT_PAGE = 20;
    static final int MAX_PAGE = 100;

    private final GcRunner runner;

    private GcApi(GcRunner runner) {
        this.runner = runner;
    }

    /** Adds the {@code /api/v1/gc} routes to {@code router}. */
    public static void mount(Router router, GcRunner runner) {
        GcApi api = new GcApi(runner);
        String base = "/api/v1/gc";
        router.route(base).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)).failureHandler(FAILURES);
        router.route(base + "/*").failureHandler(FAILURES);
        router.post(base).handler(JsonApi.run(api::start));
        router.get(base + "/runs").handler(JsonApi.run(api::list));
        router.get(base + "/runs/:id").handler(JsonApi.run(api::get));
    }

    private Future<?> start(RoutingContext ctx) {
        boolean dryRun = dryRun(ctx);
        return runner.start(dryRun, "api").compose(run -> ctx.response().setStatusCode(202)
                .putHeader("Location", "/api/v1/gc/runs/" + run.getString("id"))
                .putHeader("Content-Type", "application/json").end(run.encode()));
    }

    private Future<?> list(RoutingContext ctx) {
        int limit = limit(ctx);
        return runner.runs(limit).compose(runs -> ctx.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("runs", runs).encode()));
    }

    private Future<?> get(RoutingContext ctx) {
        UUID id;
        try {
            id = UUID.fromString(ctx.pathParam("id"));
        } catch (IllegalArgumentException e) {
            return notFound(ctx);
        }
        return runner.run(id).compose(run -> run == null ? notFound(ctx)
                : ctx.response().putHeader("Content-Type", "application/json").end(run.encode()));
    }

    private static Future<Void> notFound(RoutingContext ctx) {
        return ErrorBody.send(ctx.response(), 404, "gc_run_not_found", "no garbage-collection run " + ctx.pathParam("id"));
    }

    /** The body must be exactly {@code {"dryRun": <boolean>}}: a typo must not start a real run. */
    private static boolean dryRun(RoutingContext ctx) {
        JsonObject body = JsonApi.objectBody(ctx);
        for (String field : body.fieldNames()) {
            if (!Set.of("dryRun").contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "'; the only field is dryRun");
            }
        }
        if (!(body.getValue("dryRun") instanceof Boolean dry)) {
            throw new IllegalArgumentException("dryRun is required and must be true or false");
        }
        return dry;
    }

    private static int limit(RoutingContext ctx) {
        String text = ctx.request().getParam("limit");
        if (text == null) {
            return DEFAULT_PAGE;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= 1 && value <= MAX_PAGE) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("query parameter limit must be an integer from 1 to " + MAX_PAGE);
    }


}
