package dev.berth.gateway.protect;

import dev.berth.gateway.Caller;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * Lets a request on or answers {@code 429 Too Many Requests} with {@code Retry-After}: the
 * distribution-spec code {@code TOOMANYREQUESTS} under /v2, {@code too_many_requests} in
 * Berth's envelope elsewhere. One handler per key: the client IP (fine before authentication) or
 * the authenticated {@link Caller} (must run after the authentication handler; anonymous callers
 * pass, the IP limit covers them).
 */
public final class RateLimitHandler implements Handler<RoutingContext> {

    private final RateLimiter limiter;
    private final Function<RoutingContext, String> key;
    private final String scope;

    private RateLimitHandler(RateLimiter limiter, Function<RoutingContext, String> key, String scope) {
        this.limiter = limiter;
        this.key = key;
        this.scope = scope;
    }

    public static RateLimitHandler byClientIp(RateLimiter limiter, ClientAddress clients) {
        return new RateLimitHandler(limiter, clients::of, "client address");
    }

    public static RateLimitHandler byCaller(RateLimiter limiter) {
        return new RateLimitHandler(limiter, ctx -> Caller.of(ctx).subject(), "identity");
    }

    @Override
    public void handle(RoutingContext ctx) {
        String k = limiter.limit().off() ? null : key.apply(ctx);
        long waitNanos = k == null ? RateLimiter.GRANTED : limiter.tryAcquire(k);
        if (waitNanos == RateLimiter.GRANTED) {
            ctx.next();
            return;
        }
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        ctx.response().putHeader("Retry-After", Long.toString(seconds));
        EarlyReply.send(ctx.vertx(), ctx.request(), 429, "TOOMANYREQUESTS", "too_many_requests",
                "rate limit for this " + scope + " exceeded (" + limiter.limit().perSecond()
                        + " requests/s, burst " + limiter.limit().burst() + "); retry in " + seconds + " s");
    }
}
