package dev.berth.kit.auth;

import dev.berth.oci.Names;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a request to the registry needs from a token, read from its method and path. The gateway
 * (to challenge clients with the right scope) and the registry (to refuse tokens that do not
 * cover a request) decide with this one table, so they cannot disagree.
 *
 * <ul>
 *   <li>{@code /v2/} and unknown {@code /v2} paths: any valid token (no access entry).</li>
 *   <li>{@code /v2/_catalog}: {@code registry:catalog:*} (at the registry also {@code admin:*:*}).</li>
 *   <li>uploads ({@code /v2/<name>/blobs/uploads/...}, any method) and manifest PUT: push; with
 *       {@code ?mount=&from=} also pull on {@code from}.</li>
 *   <li>other GET/HEAD: pull; DELETE of a blob or manifest: delete.</li>
 *   <li>{@code /api/v1/*}: {@code admin:*:*}.</li>
 * </ul>
 */
public final class RequiredAccess {

    // The registry's route shapes, read shortest name first as its routes are. Callers pass the
    // normalized path (vertx-web's, which the registry routes on), so "a/../b" cannot pose as "a".
    private static final Pattern REPOSITORY_ROUTE = Pattern.compile("^/v2/(?<name>[^?]+?)/(?<kind>blobs/uploads/?"
            + "|blobs/uploads/[^/]+|blobs/[^/]*:[^/]*|manifests/[^/]+|tags/list|referrers/[^/]*:[^/]*)$");


    /** Routing-context key of a request's {@link Demand}. */
    private static final String DEMAND_KEY = "berth.required-access";

    private RequiredAccess() {
    }

    /**
     * What one request needs, read once from its method, normalized path and mount parameters.
     *
     * @param invalidName the repository the path names when that name is invalid, else null
     * @param atGateway   what {@link #of} demands
     * @param atRegistry  what {@link #atRegistry} demands
     */
    public record Demand(String invalidName, List<Access> atGateway, List<Access> atRegistry) {
    }

    /**
     * The {@link Demand} of the request {@code ctx} carries, computed on first use and kept on the routing
     * context: when the gateway serves its registry in-process, the gateway's guard and the registry's own
     * token check read one request once.
     */
    public static Demand of(RoutingContext ctx) {
        Demand known = ctx.get(DEMAND_KEY);
        if (known == null) {
            String path = ctx.normalizedPath();
            String method = ctx.request().method().name();
            Route route = Route.of(path);
            String invalid = route == null || validName(route.name()) ? null : route.name();
            List<Access> atGateway = of(method, path, route, ctx.request().getParam("mount"),
                    ctx.request().getParam("from"));
            known = new Demand(invalid, atGateway, atRegistry(path, atGateway));
            ctx.put(DEMAND_KEY, known);
        }
        return known;
    }

    /** A repository route's parts: the name and what follows it. */
    private record Route(String name, String kind) {
        static Route of(String path) {
            if (!path.startsWith("/v2/")) {
                return null;
            }
            Matcher m = REPOSITORY_ROUTE.matcher(path);
            return m.matches() ? new Route(m.group("name"), m.group("kind")) : null;
        }
    }

    /**
     * The access entries a request needs; empty when any valid token will do.
     *
     * @param from the {@code from} query parameter of a mount request, or null
     */
    public static List<Access> of(String method, String path, String mount, String from) {
        return of(method, path, Route.of(path), mount, from);
    }

    private static List<Access> of(String method, String path, Route route, String mount, String from) {
        if (path.startsWith("/api/v1/") || path.equals("/api/v1")) {
            return List.of(Access.ADMIN_API);
        }
        if (path.equals("/v2/_catalog")) {
            return List.of(Access.CATALOG);
        }
        if (route == null) {
            return List.of();
        }
        String name = route.name();
        String kind = route.kind();
        List<Access> out = new ArrayList<>();
        if (kind.startsWith("blobs/uploads")) {
            out.add(Access.repository(name, Access.PUSH));
            if ("POST".equals(method) && mount != null && from != null && !from.isBlank()) {
                out.add(Access.repository(from, Access.PULL));
            }
            return out;
        }
        String action = switch (method) {
            case "GET", "HEAD" -> Access.PULL;
            case "DELETE" -> Access.DELETE;
            default -> Access.PUSH;
        };
        out.add(Access.repository(name, action));
        return out;
    }

    /**
     * What the registry itself demands: as {@link #of}, except that its unfiltered catalog also
     * needs {@code admin:*:*} (the gateway serves clients a catalog filtered to what they may pull).
     */
    public static List<Access> atRegistry(String method, String path, String mount, String from) {
        return atRegistry(path, of(method, path, mount, from));
    }

    private static List<Access> atRegistry(String path, List<Access> atGateway) {
        return path.equals("/v2/_catalog") ? List.of(Access.CATALOG, Access.ADMIN_API) : atGateway;
    }

    /** True when {@code name} is a valid repository name (distribution spec grammar). */
    public static boolean validName(String name) {
        return name != null && Names.isRepository(name);
    }

    /**
     * The repository a path names when that name is not valid: both sides answer it with
     * {@code NAME_INVALID} before any token check, as the spec wants and nothing is touched.
     */
    public static Optional<String> invalidRepository(String path) {
        return repository(path).filter(name -> !validName(name));
    }

    /** The repository a {@code /v2/<name>/...} path names, if any. */
    public static Optional<String> repository(String path) {
        Route route = Route.of(path);
        return route == null ? Optional.empty() : Optional.of(route.name());
    }
}
