package dev.berth.gateway.audit;

import dev.berth.gateway.Caller;
import dev.berth.gateway.protect.ClientAddress;
import dev.berth.kit.RequestLog;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * Route handler that records an audited request (see {@link AuditedRequest}) once its response has
 * ended, with the {@link Caller} as authentication left it, the status answered and, for manifests,
 * the digest the registry reported. Place it after authentication.
 */
public final class AuditRecorder implements Handler<RoutingContext> {

    private static final String DIGEST_HEADER = "Docker-Content-Digest";

    private final AuditLog log;
    private final ClientAddress clients;

    public AuditRecorder(AuditLog log, ClientAddress clients) {
        this.log = log;
        this.clients = clients;
    }

    @Override
    public void handle(RoutingContext ctx) {
        AuditedRequest what = log.enabled() ? AuditedRequest.of(ctx.request()) : null;
        if (what != null) {
            String clientIp = clients.of(ctx);
            ctx.addEndHandler(ended -> {
                Caller caller = Caller.of(ctx);
                // A response cut off mid-way still reports the status it started with; none sent is 0.
                int status = ctx.response().headWritten() || ended.succeeded() ? ctx.response().getStatusCode() : 0;
                String digest = what.digest() != null ? what.digest() : ctx.response().headers().get(DIGEST_HEADER);
                String detail = what.detail();
                if (ended.failed()) {
                    detail = (detail == null ? "" : detail + "; ") + "connection closed before the response completed";
                }
                log.record(new AuditEntry(Instant.now(), caller.subject(), caller.kind(), what.action(), what.target(),
                        what.repository(), what.reference(), digest, clientIp, status, detail,
                        RequestLog.requestId(ctx)));
            });
        }
        ctx.next();
    }
}
