package dev.berth.gateway.auth;

import dev.berth.kit.auth.Access;
import dev.berth.kit.auth.VerifiedToken;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /v2/_catalog}, answered by the gateway: it reads the registry's catalog page by page
 * with a short-lived admin token and keeps the repositories whose namespace the caller may pull,
 * until it has {@code n} of them. The registry's own catalog needs that admin token, so a client
 * that bypasses the gateway cannot list everything.
 */
final class CatalogHandler {

    /** The most names one answer holds, as the registry's own limit. */
    static final int MAX_PAGE = 10_000;
    private static final int UPSTREAM_PAGE = 1000;

    private final IdentityStore store;
    private final TokenIssuer issuer;
    private final UpstreamReader upstream;

    CatalogHandler(IdentityStore store, TokenIssuer issuer, UpstreamReader upstream) {
        this.store = store;
        this.issuer = issuer;
        this.upstream = upstream;
    }

    void handle(RoutingContext ctx) {
        VerifiedToken token = ctx.get(RegistryGuard.TOKEN_KEY);
        int n;
        String nParam = ctx.request().getParam("n");
        try {
            n = nParam == null ? MAX_PAGE : Integer.parseInt(nParam);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0) {
            AuthResponses.registryError(ctx.request(), 400, "PAGINATION_NUMBER_INVALID",
                    "n must be a non-negative integer", null);
            return;
        }
        int wanted = Math.min(n, MAX_PAGE);
        String last = ctx.request().getParam("last");
        String admin = "Bearer " + issuer.accessToken(GatewayAuth.INTERNAL_SUBJECT, List.of(Access.CATALOG, Access.ADMIN_API)).token();
        store.principal(token.subject())
                .compose(p -> p.isEmpty() ? Future.succeededFuture(Set.<String>of())
                        : p.get().systemAdmin() ? Future.succeededFuture((Set<String>) null)
                        : store.pullableNamespaces(p.get()))
                .compose(namespaces -> collect(namespaces, wanted, last, new ArrayList<>(), admin))
                .onSuccess(page -> {
                    if (page.more() && !page.names().isEmpty()) {
                        ctx.response().putHeader("Link", "</v2/_catalog?n=" + wanted + "&last="
                                + URLEncoder.encode(page.names().get(page.names().size() - 1), StandardCharsets.UTF_8)
                                + ">; rel=\"next\"");
                    }
                    ctx.response().putHeader("Docker-Distribution-API-Version", "registry/2.0");
                    AuthResponses.send(ctx.request(), 200,
                            new JsonObject().put("repositories", new JsonArray(page.names())));
                })
                .onFailure(e -> AuthResponses.registryError(ctx.request(), 503, "UNAVAILABLE",
                        "cannot read the catalog: " + e.getMessage(), null));
    }

    private record Page(List<String> names, boolean more) {
    }

    /** {@code namespaces} null = no filter (system admin). */
    private Future<Page> collect(Set<String> namespaces, int wanted, String last, List<String> names, String admin) {
        if (wanted == 0) {
            return Future.succeededFuture(new Page(names, false));
        }
        String uri = "/v2/_catalog?n=" + UPSTREAM_PAGE
                + (last == null ? "" : "&last=" + URLEncoder.encode(last, StandardCharsets.UTF_8));
        return upstream.get(uri, admin).compose(reply -> {
            if (reply.status() != 200) {
                return Future.failedFuture("registry answered " + reply.status());
            }
            JsonArray repositories = reply.body().toJsonObject().getJsonArray("repositories", new JsonArray());
            String lastSeen = null;
            for (int i = 0; i < repositories.size(); i++) {
                String name = repositories.getString(i);
                lastSeen = name;
                if (namespaces == null || namespaces.contains(Permissions.namespaceOf(name))) {
                    names.add(name);
                    if (names.size() == wanted) {
                        boolean more = i < repositories.size() - 1 || reply.link() != null;
                        return Future.succeededFuture(new Page(names, more));
                    }
                }
            }
            if (reply.link() == null || lastSeen == null) {
                return Future.succeededFuture(new Page(names, false));
            }
            return collect(namespaces, wanted, lastSeen, names, admin);
        });
    }
}
