package dev.berth.gateway.auth;

import dev.berth.kit.auth.Access;
import dev.berth.kit.auth.RequiredAccess;
import dev.berth.kit.auth.TokenVerifier;
import dev.berth.kit.auth.VerifiedToken;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * Guards {@code /v2}: the request must carry a bearer token this gateway signed that covers what
 * the route needs ({@link RequiredAccess}). Without one the client gets a 401 challenge naming the
 * scope to ask {@code /token} for. A valid token that falls short gets 401 with
 * {@code insufficient_scope} when a new token could cover it, and 403 {@code DENIED} when the
 * caller is simply not allowed. The token is forwarded untouched: the registry checks it again.
 */
final class RegistryGuard {

    static final String TOKEN_KEY = "berth.token";

    private final AuthSettings settings;
    private final String externalUrl;
    private final TokenVerifier verifier;
    private final IdentityStore store;
    private final Permissions permissions;

    RegistryGuard(AuthSettings settings, String externalUrl, TokenVerifier verifier, IdentityStore store,
                  Permissions permissions) {
        this.settings = settings;
        this.externalUrl = externalUrl;
        this.verifier = verifier;
        this.store = store;
        this.permissions = permissions;
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        // Authorization may wait on the database; a body must not flow before the proxy takes it. A
        // bodiless request (most of them: manifest and blob GETs) is left alone: pausing it would also
        // hold the connection's next request back until someone resumed it.
        if (mayHaveBody(req)) {
            req.pause();
        }
        // Read from the normalized path, which is what the registry routes on (dot segments resolved).
        RequiredAccess.Demand demand = RequiredAccess.of(ctx);
        if (demand.invalidName() != null) {
            AuthResponses.registryError(req, 400, "NAME_INVALID", "invalid repository name: " + demand.invalidName(), null);
            return;
        }
        List<Access> required = demand.atGateway();
        Optional<String> bearer = Credentials.bearer(req.getHeader("Authorization"));
        if (bearer.isEmpty()) {
            AuthResponses.challenge(req, AuthResponses.realm(req, externalUrl), settings.service(), required, null, "authentication required");
            return;
        }
        VerifiedToken token;
        try {
            token = verifier.verify(ctx, bearer.get());
        } catch (TokenVerifier.Rejected e) {
            AuthResponses.challenge(req, AuthResponses.realm(req, externalUrl), settings.service(), required, "invalid_token", e.getMessage());
            return;
        }
        ctx.put(TOKEN_KEY, token);
        if (token.covers(required)) {
            callerOf(token).attachTo(ctx);
            ctx.next();
            return;
        }
        if (token.anonymous()) {
            AuthResponses.challenge(req, AuthResponses.realm(req, externalUrl), settings.service(), required, "insufficient_scope",
                    "authentication required");
            return;
        }
        store.principal(token.subject())
                .compose(p -> p.isEmpty() ? Future.succeededFuture(false) : mayDo(p.get(), required))
                .onSuccess(allowed -> {
                    if (allowed) {
                        AuthResponses.challenge(req, AuthResponses.realm(req, externalUrl), settings.service(), required, "insufficient_scope",
                                "token does not cover this request");
                    } else {
                        AuthResponses.registryError(req, 403, "DENIED", "requested access to the resource is denied",
                                required);
                    }
                })
                .onFailure(ctx::fail);
    }

    private Future<Boolean> mayDo(Principal principal, List<Access> required) {
        Future<Boolean> all = Future.succeededFuture(true);
        for (Access need : required) {
            all = all.compose(ok -> {
                if (!ok) {
                    return Future.succeededFuture(false);
                }
                if (need.type().equals(Access.REGISTRY)) {
                    return Future.succeededFuture(true);
                }
                if (!need.type().equals(Access.REPOSITORY)) {
                    return Future.succeededFuture(principal.systemAdmin());
                }
                return permissions.allowed(principal, need.name()).map(a -> a.containsAll(need.actions()));
            });
        }
        return all;
    }

    private static boolean mayHaveBody(HttpServerRequest req) {
        String length = req.getHeader("Content-Length");
        return length != null ? !"0".equals(length.trim()) : req.headers().contains("Transfer-Encoding");
    }

    static dev.berth.gateway.Caller callerOf(VerifiedToken token) {
        if (token.anonymous()) {
            return dev.berth.gateway.Caller.ANONYMOUS;
        }
        return new dev.berth.gateway.Caller(token.subject(),
                token.subject().startsWith(IdentityStore.RobotName.PREFIX) ? "robot" : "user");
    }
}
