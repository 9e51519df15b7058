package dev.berth.agent.api;

import dev.berth.kit.ErrorBody;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** {@code Authorization: Bearer <agent.token>}, compared in constant time; anything else is a 401. */
final class BearerAuth implements Handler<RoutingContext> {

    private final byte[] expected;

    BearerAuth(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        byte[] given = header == null ? new byte[0] : header.getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            ErrorBody.send(ctx.response(), 401, "UNAUTHORIZED",
                    header == null ? "missing bearer token" : "wrong bearer token");
            return;
        }
        ctx.next();
    }
}
