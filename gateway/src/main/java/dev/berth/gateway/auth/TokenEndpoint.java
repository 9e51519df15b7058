package dev.berth.gateway.auth;

import dev.berth.kit.auth.Access;
import dev.berth.kit.auth.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code /token}: the distribution token service. {@code GET} with optional Basic credentials
 * (docker, skopeo, podman), {@code POST} form with an OAuth2 password or refresh-token grant
 * (containerd, ORAS). Grants the intersection of the scopes asked for and what the caller may do.
 */
final class TokenEndpoint {

    private final AuthSettings settings;
    private final Authenticator authenticator;
    private final Permissions permissions;
    private final IdentityStore store;
    private final TokenIssuer issuer;
    private final TokenVerifier refreshVerifier;

    TokenEndpoint(AuthSettings settings, Authenticator authenticator, Permissions permissions,
                  IdentityStore store, TokenIssuer issuer) {
        this.settings = settings;
        this.authenticator = authenticator;
        this.permissions = permissions;
        this.store = store;
        this.issuer = issuer;
        this.refreshVerifier = issuer.refreshVerifier();
    }

    void get(RoutingContext ctx) {
        MultiMap params = ctx.queryParams();
        Optional<Credentials> basic = Credentials.basic(ctx.request().getHeader("Authorization"));
        boolean offline = "true".equalsIgnoreCase(params.get("offline_token"));
        respond(ctx, params, basic.isPresent()
                ? authenticator.login(basic.get(), address(ctx)) : Future.succeededFuture(Principal.ANONYMOUS),
                offline && basic.isPresent(), null);
    }

    void post(RoutingContext ctx) {
        MultiMap form = ctx.request().formAttributes();
        String grant = form.get("grant_type");
        boolean offline = "offline".equals(form.get("access_type"));
        if ("password".equals(grant)) {
            String user = form.get("username");
            String password = form.get("password");
            if (user == null || password == null) {
                fail(ctx, new AuthFailure(AuthFailure.Kind.BAD_REQUEST, "grant_type=password needs username and password"));
                return;
            }
            respond(ctx, form, authenticator.login(new Credentials(user, password), address(ctx)), offline, null);
        } else if ("refresh_token".equals(grant)) {
            String refresh = form.get("refresh_token");
            if (refresh == null) {
                fail(ctx, new AuthFailure(AuthFailure.Kind.BAD_REQUEST, "grant_type=refresh_token needs refresh_token"));
                return;
            }
            respond(ctx, form, fromRefreshToken(refresh), true, refresh);
        } else {
            fail(ctx, new AuthFailure(AuthFailure.Kind.BAD_REQUEST,
                    "grant_type must be password or refresh_token, got " + grant));
        }
    }

    private Future<Principal> fromRefreshToken(String token) {
        String subject;
        try {
            subject = refreshVerifier.verify(token).subject();
        } catch (TokenVerifier.Rejected e) {
            return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "refresh token refused: " + e.getMessage()));
        }
        if (subject.isEmpty()) {
            return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "refresh token has no subject"));
        }
        return store.principal(subject).compose(p -> {
            if (p.isEmpty()) {
                return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "account no longer exists"));
            }
            if (p.get() instanceof Principal.Robot robot && robot.expired(java.time.Instant.now())) {
                return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "robot account has expired"));
            }
            return Future.succeededFuture(p.get());
        });
    }

    private void respond(RoutingContext ctx, MultiMap params, Future<Principal> who, boolean offline, String givenRefresh) {
        String service = params.get("service");
        if (service != null && !service.equals(settings.service())) {
            fail(ctx, new AuthFailure(AuthFailure.Kind.BAD_REQUEST, "unknown service '" + service
                    + "'; this registry is '" + settings.service() + "'"));
            return;
        }
        List<Access> asked = new ArrayList<>();
        for (String param : params.getAll("scope")) {
            for (String scope : param.trim().split(" +")) {
                if (scope.isEmpty()) {
                    continue;
                }
                Access access = Access.parseScope(scope);
                if (access == null) {
                    fail(ctx, new AuthFailure(AuthFailure.Kind.BAD_REQUEST, "invalid scope '" + scope
                            + "'; expected type:name:actions"));
                    return;
                }
                asked.add(access);
            }
        }
        who.compose(principal -> permissions.grant(principal, asked).map(granted -> {
            principal.caller().attachTo(ctx);
            TokenIssuer.Issued token = issuer.accessToken(principal.name(), granted);
            JsonObject body = new JsonObject()
                    .put("token", token.token())
                    .put("access_token", token.token())
                    .put("expires_in", token.ttl().toSeconds())
                    .put("issued_at", DateTimeFormatter.ISO_INSTANT.format(token.issuedAt()))
                    .put("scope", granted.stream().map(Access::scope).collect(Collectors.joining(" ")));
            if (offline && !(principal instanceof Principal.Anonymous)) {
                body.put("refresh_token", givenRefresh != null ? givenRefresh : issuer.refreshToken(principal.name()).token());
            }
            return body;
        })).onSuccess(body -> {
            ctx.response().putHeader("Cache-Control", "no-store");
            AuthResponses.send(ctx.request(), 200, body);
        }).onFailure(e -> fail(ctx, e));
    }

    private static void fail(RoutingContext ctx, Throwable e) {
        if (ctx.response().ended()) {
            return;
        }
        if (e instanceof AuthFailure failure) {
            AuthResponses.failure(ctx.request(), failure);
        } else {
            ctx.fail(e);
        }
    }

    static String address(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().host();
    }
}
