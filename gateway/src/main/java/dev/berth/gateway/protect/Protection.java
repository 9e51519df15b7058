package dev.berth.gateway.protect;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * The protection shared by all of the gateway's event loops: one rate limiter per key kind (so a
 * client's limit is the configured one, not multiplied by {@code gateway.instances}), the client
 * address resolver, body limits and TLS options. Route handlers come from here, in this order:
 * {@link #ipRateLimit()} (may run before authentication), then the authentication handler, then
 * {@link #identityRateLimit()}, then {@link #bodyLimit()}.
 */
public final class Protection {

    private static final long EVICT_EVERY_MS = 1000;

    private final ProtectionConfig config;
    private final ClientAddress clients;
    private final RateLimiter byIp;
    private final RateLimiter byIdentity;
    private final BodyLimits bodyLimits;
    private Vertx vertx;
    private long evictTimer = -1;

    public Protection(ProtectionConfig config) {
        this.config = config;
        this.clients = new ClientAddress(config.trustedProxies());
        this.byIp = new RateLimiter(config.ipLimit(), config.maxTracked());
        this.byIdentity = new RateLimiter(config.identityLimit(), config.maxTracked());
        this.bodyLimits = new BodyLimits(config.manifestBytes(), config.apiBodyBytes());
    }

    public ProtectionConfig config() {
        return config;
    }

    public ClientAddress clients() {
        return clients;
    }

    public BodyLimits bodyLimits() {
        return bodyLimits;
    }

    public Handler<RoutingContext> ipRateLimit() {
        return RateLimitHandler.byClientIp(byIp, clients);
    }

    public Handler<RoutingContext> identityRateLimit() {
        return RateLimitHandler.byCaller(byIdentity);
    }

    public Handler<RoutingContext> bodyLimit() {
        return bodyLimits.handler();
    }

    /** TLS on {@code options} when configured. */
    public HttpServerOptions applyTls(HttpServerOptions options) {
        if (config.tls() != null) {
            config.tls().applyTo(options);
        }
        return options;
    }

    /** Starts the idle-bucket eviction and registers metrics. */
    public void start(Vertx vertx) {
        this.vertx = vertx;
        if (!byIp.limit().off() || !byIdentity.limit().off()) {
            evictTimer = vertx.setPeriodic(EVICT_EVERY_MS, id -> {
                byIp.evictIdle();
                byIdentity.evictIdle();
            });
        }
        MeterRegistry registry = BackendRegistries.getDefaultNow();
        if (registry != null) {
            register(registry, byIp, "ip");
            register(registry, byIdentity, "identity");
        }
    }

    public Future<Void> stop() {
        if (evictTimer >= 0) {
            vertx.cancelTimer(evictTimer);
        }
        return Future.succeededFuture();
    }

    /** berth_gateway_ratelimit_tracked{scope} and berth_gateway_ratelimit_rejected_total{scope}. */
    private static void register(MeterRegistry registry, RateLimiter limiter, String scope) {
        Gauge.builder("berth.gateway.ratelimit.tracked", limiter, RateLimiter::tracked)
                .description("clients holding a token bucket").tag("scope", scope).register(registry);
        FunctionCounter.builder("berth.gateway.ratelimit.rejected", limiter, RateLimiter::rejected)
                .description("requests answered 429").tag("scope", scope).register(registry);
    }
}
