package dev.berth.gateway.auth;

import dev.berth.kit.ErrorBody;
import dev.berth.kit.auth.Access;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Collectors;

/** The refusals authentication sends: challenges and error envelopes. */
final class AuthResponses {

    private AuthResponses() {
    }

    /** Where clients fetch tokens: the external URL when configured, else the URL the client used. */
    static String realm(HttpServerRequest req, String externalUrl) {
        if (externalUrl != null) {
            return externalUrl + "/token";
        }
        String proto = req.getHeader("X-Forwarded-Proto");
        if (proto == null || !(proto.equals("http") || proto.equals("https"))) {
            proto = req.isSSL() ? "https" : "http";
        }
        String host = req.getHeader("Host");
        if (host == null || host.isBlank()) {
            host = req.localAddress().host() + ":" + req.localAddress().port();
        }
        return proto + "://" + host + "/token";
    }

    /**
     * 401 with a Bearer challenge naming the scope the request needs.
     *
     * @param error null, {@code invalid_token} or {@code insufficient_scope}
     */
    static void challenge(HttpServerRequest req, String realm, String service, List<Access> required,
                          String error, String message) {
        StringBuilder header = new StringBuilder("Bearer realm=\"").append(realm)
                .append("\",service=\"").append(service).append('"');
        if (!required.isEmpty()) {
            header.append(",scope=\"")
                    .append(required.stream().map(Access::scope).collect(Collectors.joining(" ")))
                    .append('"');
        }
        if (error != null) {
            header.append(",error=\"").append(error).append('"');
        }
        req.response().putHeader("WWW-Authenticate", header.toString());
        registryError(req, 401, "UNAUTHORIZED", message, required);
    }

    /** The distribution-spec envelope; detail lists the access the request needed. */
    static void registryError(HttpServerRequest req, int status, String code, String message, List<Access> required) {
        JsonObject error = new JsonObject().put("code", code).put("message", message);
        if (required == null || required.isEmpty()) {
            error.putNull("detail");
        } else {
            error.put("detail", Access.toJson(required));
        }
        send(req, status, new JsonObject().put("errors", new JsonArray().add(error)));
    }

    static void failure(HttpServerRequest req, AuthFailure failure) {
        if (failure.kind() == AuthFailure.Kind.LOCKED) {
            req.response().putHeader("Retry-After", Long.toString(failure.retryAfterSeconds()));
        }
        registryError(req, failure.status(), failure.code(), failure.getMessage(), null);
    }

    /** Berth's own envelope for the REST API. */
    static void apiError(HttpServerRequest req, AuthFailure failure) {
        HttpServerResponse resp = req.response();
        if (failure.kind() == AuthFailure.Kind.LOCKED) {
            resp.putHeader("Retry-After", Long.toString(failure.retryAfterSeconds()));
        }
        if (failure.kind() == AuthFailure.Kind.UNAUTHORIZED) {
            resp.putHeader("WWW-Authenticate", "Basic realm=\"berth\"");
        }
        String code = switch (failure.kind()) {
            case UNAUTHORIZED -> "unauthorized";
            case DENIED -> "forbidden";
            case LOCKED -> "too_many_requests";
            case BAD_REQUEST -> "bad_request";
        };
        ErrorBody.send(resp, failure.status(), code, failure.getMessage());
    }

    static void send(HttpServerRequest req, int status, JsonObject body) {
        String text = body.encode();
        HttpServerResponse resp = req.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", Integer.toString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        if (req.method() == HttpMethod.HEAD) {
            resp.end();
        } else {
            resp.end(text);
        }
    }
}
