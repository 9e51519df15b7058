package dev.berth.gateway.auth;

import dev.berth.kit.auth.Access;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;

/**
 * Guards the {@code /api/v1/*} paths the gateway proxies to the registry (webhooks, GC, quotas…):
 * only system admins pass, and the registry gets, instead of the caller's credentials, a token the
 * gateway mints for the request: subject = the admin, access {@code admin:*:*}, valid one minute.
 */
final class ApiGuard {

    static final Duration ADMIN_TOKEN_TTL = Duration.ofMinutes(1);

    private final ApiAuthentication authentication;
    private final TokenIssuer issuer;

    ApiGuard(ApiAuthentication authentication, TokenIssuer issuer) {
        this.authentication = authentication;
        this.issuer = issuer;
    }

    void handle(RoutingContext ctx) {
        ctx.request().pause();
        authentication.authenticate(ctx).onSuccess(principal -> {
            if (principal instanceof Principal.Anonymous) {
                ApiAuthentication.refuse(ctx, new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "authentication required"));
                return;
            }
            if (!principal.systemAdmin()) {
                ApiAuthentication.refuse(ctx, new AuthFailure(AuthFailure.Kind.DENIED, "only system admins may use this API"));
                return;
            }
            principal.caller().attachTo(ctx);
            String token = issuer.accessToken(principal.name(), List.of(Access.ADMIN_API), ADMIN_TOKEN_TTL).token();
            ctx.request().headers().set("Authorization", "Bearer " + token);
            ctx.next();
        }).onFailure(e -> ApiAuthentication.refuse(ctx, e));
    }
}
