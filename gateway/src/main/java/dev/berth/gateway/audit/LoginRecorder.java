package dev.berth.gateway.audit;

import dev.berth.gateway.Caller;
import dev.berth.gateway.protect.ClientAddress;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Route handler for {@code /token} that records logins once the response has ended: a token issued to
 * someone who presented credentials ({@code login}), or credentials refused ({@code login_failed},
 * with the name as claimed). Anonymous tokens for public pulls are not logins and are not recorded.
 */
public final class LoginRecorder implements Handler<RoutingContext> {

    private final AuditLog log;
    private final ClientAddress clients;

    public LoginRecorder(AuditLog log, ClientAddress clients) {
        this.log = log;
        this.clients = clients;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (log.enabled()) {
            String clientIp = clients.of(ctx);
            ctx.addEndHandler(ended -> {
                int status = ctx.response().getStatusCode();
                Caller caller = Caller.of(ctx);
                if (status == 200 && !caller.anonymous()) {
                    log.record(AuditEntry.login(caller, clientIp, true, status, null));
                } else if (status == 401 || status == 403 || status == 429) {
                    String claimed = claimedName(ctx);
                    log.record(AuditEntry.login(claimed == null ? Caller.ANONYMOUS : new Caller(claimed, "user"),
                            clientIp, false, status, null));
                }
            });
        }
        ctx.next();
    }

    /** The user name from Basic credentials or the OAuth2 password form, if any. */
    private static String claimedName(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? decoded : decoded.substring(0, colon);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return ctx.request().getFormAttribute("username");
    }
}
