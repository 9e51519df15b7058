package dev.berth.registry.policy;

import dev.berth.kit.ErrorBody;
import dev.berth.kit.JsonApi;
import dev.berth.oci.Names;
import dev.berth.registry.meta.MetadataStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * The admin API of namespace policies under {@code /api/v1/registry/namespaces/{ns}/}: quota (with
 * usage and recompute), immutable tag patterns, retention rules and runs. Not {@code /api/v1/namespaces}:
 * the gateway serves that path itself. Errors are {@link ErrorBody}.
 */
public final class PolicyApi {

    static final String BASE = "/api/v1/registry/namespaces";
    static final long MAX_BODY_BYTES = 64 * 1024;
    private static final Handler<RoutingContext> FAILURES = JsonApi.failures(
            "invalid_policy", MAX_BODY_BYTES, LoggerFactory.getLogger(PolicyApi.class), "policy API",
            new JsonApi.Refusal(Retention.Busy.class, 409, "retention_running"));
    private static final Pattern RESOURCE = Pattern.compile(
            Pattern.quote(BASE) + "/[^/]+/(quota|quota/recompute|immutable-tags|retention|retention/run)");
    private static final Map<String, String> ALLOW = Map.of(
            "quota", "GET, PUT, DELETE", "quota/recompute", "POST", "immutable-tags", "GET, PUT",
            "retention", "GET, PUT", "retention/run", "POST");

    private final PolicyStore store;
    private final Retention retention;

    private PolicyApi(PolicyStore store, Retention retention) {
        this.store = store;
        this.retention = retention;
    }

    /** Adds the routes to {@code router}. */
    public static void mount(Router router, MetadataStore metadata) {
        PolicyStore store = new PolicyStore(metadata.pool());
        PolicyApi api = new PolicyApi(store, new Retention(metadata, store));
        router.route(BASE + "/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .failureHandler(FAILURES);
        router.get(BASE + "/:ns/quota").handler(JsonApi.run(api::getQuota));
        router.put(BASE + "/:ns/quota").handler(JsonApi.run(api::putQuota));
        router.delete(BASE + "/:ns/quota").handler(JsonApi.run(api::deleteQuota));
        router.post(BASE + "/:ns/quota/recompute").handler(JsonApi.run(api::recompute));
        router.get(BASE + "/:ns/immutable-tags").handler(JsonApi.run(api::getImmutable));
        router.put(BASE + "/:ns/immutable-tags").handler(JsonApi.run(api::putImmutable));
        router.get(BASE + "/:ns/retention").handler(JsonApi.run(api::getRetention));
        router.put(BASE + "/:ns/retention").handler(JsonApi.run(api::putRetention));
        router.post(BASE + "/:ns/retention/run").handler(JsonApi.run(api::runRetention));
        router.route(BASE + "/*").handler(PolicyApi::noRoute);
    }

    private Future<?> getQuota(RoutingContext ctx) {
        return store.quota(namespace(ctx)).compose(q -> json(ctx, 200, q.toJson()));
    }

    private Future<?> putQuota(RoutingContext ctx) {
        String ns = namespace(ctx);
        JsonObject body = body(ctx, Set.of("limitBytes"));
        Object limit = body.getValue("limitBytes");
        if (!(limit instanceof Integer || limit instanceof Long) || ((Number) limit).longValue() < 0) {
            throw new IllegalArgumentException("limitBytes must be an integer of at least 0 (bytes)");
        }
        return store.setQuota(ns, ((Number) limit).longValue()).compose(q -> json(ctx, 200, q.toJson()));
    }

    private Future<?> deleteQuota(RoutingContext ctx) {
        String ns = namespace(ctx);
        return store.deleteQuota(ns).compose(found -> found ? ctx.response().setStatusCode(204).end()
                : ErrorBody.send(ctx.response(), 404, "quota_not_found", "namespace \"" + ns + "\" has no quota"));
    }

    private Future<?> recompute(RoutingContext ctx) {
        return store.recompute(namespace(ctx)).compose(result -> json(ctx, 200, result));
    }

    private Future<?> getImmutable(RoutingContext ctx) {
        String ns = namespace(ctx);
        return store.immutableTags(ns).compose(rules -> json(ctx, 200, immutableJson(ns, rules)));
    }

    private Future<?> putImmutable(RoutingContext ctx) {
        String ns = namespace(ctx);
        JsonObject body = body(ctx, Set.of("patterns"));
        if (!(body.getValue("patterns") instanceof JsonArray array)) {
            throw new IllegalArgumentException("patterns must be an array of tag globs such as \"v*\"");
        }
        List<String> globs = new ArrayList<>();
        for (Object item : array) {
            if (!(item instanceof String glob)) {
                throw new IllegalArgumentException("patterns must hold strings; got " + item);
            }
            globs.add(glob);
        }
        ImmutableTags rules = ImmutableTags.of(globs);
        return store.setImmutableTags(ns, rules).compose(saved -> json(ctx, 200, immutableJson(ns, saved)));
    }

    private static JsonObject immutableJson(String ns, ImmutableTags rules) {
        return new JsonObject().put("namespace", ns).put("patterns", new JsonArray(rules.globs()));
    }

    private Future<?> getRetention(RoutingContext ctx) {
        String ns = namespace(ctx);
        return store.retention(ns).compose(rules -> json(ctx, 200, rules.toJson().put("namespace", ns)));
    }

    private Future<?> putRetention(RoutingContext ctx) {
        String ns = namespace(ctx);
        RetentionRules rules = RetentionRules.parse(body(ctx, Set.of("rules")));
        return store.setRetention(ns, rules).compose(saved -> json(ctx, 200, saved.toJson().put("namespace", ns)));
    }

    private Future<?> runRetention(RoutingContext ctx) {
        String ns = namespace(ctx);
        boolean dryRun = false;
        if (ctx.body().length() > 0) {
            Object value = body(ctx, Set.of("dryRun")).getValue("dryRun");
            if (value != null && !(value instanceof Boolean)) {
                throw new IllegalArgumentException("dryRun must be true or false");
            }
            dryRun = Boolean.TRUE.equals(value);
        }
        return retention.run(ns, dryRun).compose(report -> json(ctx, 200, report));
    }

    /** The namespace in the path: the first component of a repository name, per the distribution grammar. */
    private static String namespace(RoutingContext ctx) {
        String ns = ctx.pathParam("ns");
        if (!Names.isRepository(ns) || ns.contains("/")) {
            throw new IllegalArgumentException("invalid namespace \"" + ns
                    + "\": lower-case letters and digits, separated by '.', '_', '__' or dashes");
        }
        return ns;
    }

    private static JsonObject body(RoutingContext ctx, Set<String> known) {
        JsonObject body = JsonApi.objectBody(ctx);
        for (String field : body.fieldNames()) {
            if (!known.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "'; known fields: " + known.stream().sorted().toList());
            }
        }
        return body;
    }

    /** A known resource with another method is 405 (with Allow); anything else under the base is 404. */
    private static void noRoute(RoutingContext ctx) {
        Matcher m = RESOURCE.matcher(ctx.request().path());
        if (m.matches()) {
            String allow = ALLOW.get(m.group(1));
            ctx.response().putHeader("Allow", allow);
            ErrorBody.send(ctx.response(), 405, "method_not_allowed", ctx.request().method() + " is not allowed on "
                    + ctx.request().path() + "; allowed: " + allow);
        } else {
            ErrorBody.send(ctx.response(), 404, "not_found", "no such resource: " + ctx.request().path());
        }
    }

    private static Future<Void> json(RoutingContext ctx, int status, JsonObject body) {
        return ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }


}
