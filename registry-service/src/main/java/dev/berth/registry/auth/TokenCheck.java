package dev.berth.registry.auth;

import dev.berth.kit.ErrorBody;
import dev.berth.kit.auth.Access;
import dev.berth.kit.auth.RequiredAccess;
import dev.berth.kit.auth.TokenVerifier;
import dev.berth.kit.auth.VerifiedToken;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The registry's own check of the gateway's bearer tokens, in front of {@code /v2} and
 * {@code /api/v1}: a request without a valid token (signature, {@code iss}, {@code aud},
 * {@code exp}/{@code nbf}) gets 401 {@code UNAUTHORIZED}; a valid token whose {@code access}
 * does not cover the route gets 403 {@code DENIED}. So a client that bypasses the gateway gets
 * nothing the gateway would not have let through.
 */
public final class TokenCheck {

    /** Routing-context key of the verified token's subject: the actor of the events a request causes. */
    public static final String SUBJECT = "berth.token.subject";

    private final TokenVerifier verifier;
    private final String service;

    public TokenCheck(TokenAuthSettings settings) {
        this.verifier = new TokenVerifier(settings.publicKey(), settings.issuer(), settings.service());
        this.service = settings.service();
    }

    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        // What the router matches on: dot segments resolved, so "a/../b" is checked as "b".
        String path = ctx.normalizedPath();
        if (!path.equals("/v2") && !path.startsWith("/v2/") && !path.startsWith("/api/v1/") && !path.equals("/api/v1")) {
            ctx.next();
            return;
        }
        RequiredAccess.Demand demand = RequiredAccess.of(ctx);
        if (demand.invalidName() != null) {
            refuse(req, 400, "NAME_INVALID", "invalid repository name: " + demand.invalidName(), List.of());
            return;
        }
        List<Access> required = demand.atRegistry();
        String header = req.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            refuse(req, 401, "UNAUTHORIZED", "a bearer token from the gateway is required", required);
            return;
        }
        VerifiedToken token;
        try {
            token = verifier.verify(ctx, header.substring(7).trim());
        } catch (TokenVerifier.Rejected e) {
            refuse(req, 401, "UNAUTHORIZED", e.getMessage(), required);
            return;
        }
        if (!token.covers(required)) {
            refuse(req, 403, "DENIED", "the token does not grant access to this resource", required);
            return;
        }
        ctx.put(SUBJECT, token.subject());
        ctx.next();
    }

    private void refuse(HttpServerRequest req, int status, String code, String message, List<Access> required) {
        if (status == 401) {
            req.response().putHeader("WWW-Authenticate", "Bearer service=\"" + service + "\"");
        }
        if (!req.path().startsWith("/v2")) {
            ErrorBody.send(req.response(), status, code.toLowerCase(java.util.Locale.ROOT), message);
            return;
        }
        JsonObject error = new JsonObject().put("code", code).put("message", message)
                .put("detail", Access.toJson(required));
        String body = new JsonObject().put("errors", new JsonArray().add(error)).encode();
        req.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Docker-Distribution-API-Version", "registry/2.0")
                .putHeader("Content-Length", Integer.toString(body.length()));
        if (req.method() == HttpMethod.HEAD) {
            req.response().end();
        } else {
            req.response().end(body);
        }
    }
}
