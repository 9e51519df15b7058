package dev.berth.gateway;

import io.vertx.ext.web.RoutingContext;

/**
 * Who sent a request, as the gateway's authentication decided: stored on the routing context so
 * that later handlers (rate limits, audit, proxy) see the same identity.
 *
 * @param subject user or robot name; {@code null} when anonymous
 * @param kind    {@code user}, {@code robot} or {@code anonymous}
 */
public record Caller(String subject, String kind) {

    public static final Caller ANONYMOUS = new Caller(null, "anonymous");

    private static final String KEY = "berth.caller";

    public boolean anonymous() {
        return subject == null;
    }

    /** The caller stored on {@code ctx}, or {@link #ANONYMOUS} when no handler set one. */
    public static Caller of(RoutingContext ctx) {
        Caller caller = ctx.get(KEY);
        return caller == null ? ANONYMOUS : caller;
    }

    public void attachTo(RoutingContext ctx) {
        ctx.put(KEY, this);
    }
}
