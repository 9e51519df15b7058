package dev.berth.gateway.auth;

import dev.berth.kit.auth.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Who calls Berth's REST API: HTTP Basic (user or robot), or a bearer token from {@code /token}
 * whose subject still exists. No credentials means anonymous.
 */
public final class ApiAuthentication {

    private final Authenticator authenticator;
    private final TokenVerifier verifier;
    private final IdentityStore store;

    ApiAuthentication(Authenticator authenticator, TokenVerifier verifier, IdentityStore store) {
        this.authenticator = authenticator;
        this.verifier = verifier;
        this.store = store;
    }

    public Future<Principal> authenticate(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        Optional<Credentials> basic = Credentials.basic(header);
        if (basic.isPresent()) {
            return authenticator.login(basic.get(), TokenEndpoint.address(ctx));
        }
        Optional<String> bearer = Credentials.bearer(header);
        if (bearer.isPresent()) {
            String subject;
            try {
                subject = verifier.verify(bearer.get()).subject();
            } catch (TokenVerifier.Rejected e) {
                return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, e.getMessage()));
            }
            return store.principal(subject).compose(p -> p.isPresent()
                    ? Future.succeededFuture(p.get())
                    : Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "account no longer exists")));
        }
        if (header != null) {
            return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "unsupported Authorization scheme"));
        }
        return Future.succeededFuture(Principal.ANONYMOUS);
    }

    /** Ends the request with the failure in Berth's envelope, or fails the context on anything else. */
    public static void refuse(RoutingContext ctx, Throwable e) {
        if (ctx.response().ended()) {
            return;
        }
        if (e instanceof AuthFailure failure) {
            AuthResponses.apiError(ctx.request(), failure);
        } else {
            ctx.fail(e);
        }
    }
}
