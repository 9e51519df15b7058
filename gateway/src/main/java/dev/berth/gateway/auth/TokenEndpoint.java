package dev.berth.gateway.auth;

import com.nimbusds.jwt.SignedJWT;
import dev.berth.kit.auth.Access;
import dev.berth.kit.auth.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.text.ParseException;
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
        String mark;
        try {
            subject = refreshVerifier.verify(token).subject();
            // The signature checked out above: the claims can be read as they are.
            mark = SignedJWT.parse(token).getJWTClaimsSet().getStringClaim(TokenIssuer.CREDENTIAL_CLAIM);
        } catch (TokenVerifier.Rejected | ParseException e) {
            return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "refresh token refused: " + e.getMessage()));
        }
        if (subject.isEmpty()) {
            return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "refresh token has no subject"));
        }
        return store.credentialed(subject).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "account no longer exists"));
            }
            if (mark == null || !mark.equals(TokenIssuer.credentialMark(found.get().credentialHash()))) {
                return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED,
                        "refresh token was issued for a password or secret that has changed since; log in again"));
            }
            Principal principal = found.get().principal();
            if (principal instanceof Principal.Robot robot && robot.expired(java.time.Instant.now())) {
                return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "robot account has expired"));
            }
            return Future.succeededFuture(principal);
        });
    }

    /** A new refresh token for {@code principal}, bound to its credential as stored now. */
    private Future<String> newRefreshToken(Principal principal) {
        return store.credentialed(principal.name()).compose(found -> found
                .map(c -> Future.succeededFuture(issuer.refreshToken(principal.name(), c.credentialHash()).token()))
                .orElseGet(() -> Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED,
                        "account no longer exists"))));
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
        who.compose(principal -> permissions.grant(principal, asked).compose(granted -> {
            principal.caller().attachTo(ctx);
            TokenIssuer.Issued token = issuer.accessToken(principal.name(), granted);
            JsonObject body = new JsonObject()
                    .put("token", token.token())
                    .put("access_token", token.token())
                    .put("expires_in", token.ttl().toSeconds())
                    .put("issued_at", DateTimeFormatter.ISO_INSTANT.format(token.issuedAt()))
                    .put("scope", granted.stream().map(Access::scope).collect(Collectors.joining(" ")));
            if (!offline || principal instanceof Principal.Anonymous) {
                return Future.succeededFuture(body);
            }
            Future<String> refresh = givenRefresh != null ? Future.succeededFuture(givenRefresh) : newRefreshToken(principal);
            return refresh.map(r -> body.put("refresh_token", r));
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
