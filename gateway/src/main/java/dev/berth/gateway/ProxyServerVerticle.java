package dev.berth.gateway;

import dev.berth.gateway.audit.AuditApi;
import dev.berth.gateway.audit.AuditLog;
import dev.berth.gateway.audit.AuditRecorder;
import dev.berth.gateway.protect.Protection;
import dev.berth.gateway.audit.LoginRecorder;
import dev.berth.gateway.auth.GatewayAuth;
import dev.berth.gateway.auth.UpstreamReader;
import dev.berth.kit.OpsRoutes;
import dev.berth.kit.RequestLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One event loop's share of the gateway: an HTTP server on the shared port and an HTTP client of
 * its own, so a request and its upstream connection live on the same thread.
 */
final class ProxyServerVerticle extends VerticleBase {

  /** Distribution URLs carry upload state in query strings; docker's can exceed Netty's 4 KiB default. */
  private static final int MAX_INITIAL_LINE = 16 * 1024;
  private static final int MAX_HEADERS = 32 * 1024;
  /** Bigger decoded chunks mean fewer buffers and chunk frames per blob. */
  private static final int MAX_CHUNK = 64 * 1024;
  /** Per upstream and event loop; long blob transfers each hold one while manifests keep flowing. */
  private static final int UPSTREAM_POOL_SIZE = 256;
  /** What the proxy serves (/v2, /v2/*, /api/v1/*) as one route, so its handlers run once per request. */
  private static final String PROXIED = "^/(v2(/.*)?|api/v1/.*)$";

  private final GatewayConfig config;
  private final UpstreamPool pool;
  private final int port;
  private final Protection protection;
  private final AuditLog audit;
  /** Null when authentication is off. */
  private final GatewayAuth auth;
  /** Adds the registry's routes in-process (berth up); null to proxy to the upstreams. */
  private final LocalRegistry localRegistry;
  private HttpClient client;
  static final long SHUTDOWN_GRACE_SECONDS = 10;

  private HttpServer server;

  ProxyServerVerticle(GatewayConfig config, UpstreamPool pool, int port, Protection protection, AuditLog audit,
                      GatewayAuth auth, LocalRegistry localRegistry) {
    this.localRegistry = localRegistry;
    this.config = config;
    this.pool = pool;
    this.port = port;
    this.protection = protection;
    this.audit = audit;
    this.auth = auth;
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(30)
            .setPipelining(false)
            .setConnectTimeout(5000)
            .setDecompressionSupported(false)
            .setMaxInitialLineLength(MAX_INITIAL_LINE)
            .setMaxHeaderSize(MAX_HEADERS)
            .setMaxChunkSize(MAX_CHUNK)
            .setName("berth-gateway-upstreams"),
        new PoolOptions().setHttp1MaxSize(UPSTREAM_POOL_SIZE));

    Router router = Router.router(vertx);
    router.route().handler(RequestLog.create("gateway"));
    Map<String, Supplier<Future<?>>> readiness = Map.of("upstreams", () -> pool.anyHealthy()
        ? Future.succeededFuture()
        : Future.failedFuture("no registry upstream is ready"));
    OpsRoutes.mount(router, readiness);
    // Protection (dev.berth.gateway.protect): the IP limit runs before authentication; the identity
    // limit needs the Caller that authentication attaches, so the /v2 guard goes between the two.
    router.routeWithRegex(PROXIED).handler(protection.ipRateLimit());
    if (auth != null) {
      router.route("/token").handler(new LoginRecorder(audit, protection.clients()));
      auth.mountGuards(router, config.externalUrl());
    }
    router.routeWithRegex(PROXIED).handler(protection.identityRateLimit())
        // Audit (dev.berth.gateway.audit) before the body limit, so a refused push is recorded with its
        // 413; it reads the Caller when the response ends, so the admin API's own login counts too.
        .handler(new AuditRecorder(audit, protection.clients()))
        .handler(protection.bodyLimit());
    // Registry traffic (/v2) first: the router tries routes in order, and /v2 requests are the many.
    if (auth != null) {
      auth.mountCatalog(router, this::readUpstream);
    }
    if (localRegistry != null) {
      localRegistry.mountDistribution(router);
    } else {
      router.route("/v2").handler(this::proxy);
      router.route("/v2/*").handler(this::proxy);
    }
    if (auth != null) {
      auth.mountAdmin(router, vertx);
    }
    // With authentication on, the /api/v1 guard above lets only system admins this far; with it off
    // (development only) anyone may read the audit log.
    router.get("/api/v1/audit").handler(new AuditApi(audit, AuditApi.ANYONE));
    if (localRegistry != null) {
      localRegistry.mountRest(router);
    } else {
      router.route("/api/v1/*").handler(this::proxy);
    }

    server = vertx.createHttpServer(protection.applyTls(new HttpServerOptions()
        .setHost(config.host())
        .setPort(port)
        // Registry clients speak HTTP/1.1 to a plain-text registry; h2c upgrades would only
        // complicate body detection and backpressure for no gain.
        .setHttp2ClearTextEnabled(false)
        // Proxying, the gateway answers 100 Continue itself once it holds an upstream; serving the
        // registry in-process, the server does, as the registry's own does.
        .setHandle100ContinueAutomatically(localRegistry != null)
        .setCompressionSupported(false)
        .setMaxInitialLineLength(MAX_INITIAL_LINE)
        .setMaxHeaderSize(MAX_HEADERS)
        .setMaxChunkSize(MAX_CHUNK)));
    return server.requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    // In-flight requests get a bounded grace period: a client that never finishes its request
    // must not hold a shutdown up forever.
    Future<Void> closed = server == null ? Future.succeededFuture()
        : server.shutdown(SHUTDOWN_GRACE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    return closed.eventually(() -> client == null ? Future.succeededFuture() : client.close());
  }

  int actualPort() {
    return server.actualPort();
  }

  /** A small GET of the gateway's own to a healthy upstream (the filtered catalog reads pages). */
  private Future<UpstreamReader.Reply> readUpstream(String uri, String authorization) {
    Upstream upstream = pool.pick(null);
    if (upstream == null) {
      pool.probeSoon();
      return Future.failedFuture("no registry upstream is ready");
    }
    return client.request(new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(upstream.address().host())
            .setPort(upstream.port())
            .setSsl(upstream.ssl())
            .setURI(uri)
            .putHeader("Authorization", authorization))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> new UpstreamReader.Reply(resp.statusCode(), resp.getHeader("Link"), body)));
  }

  private void proxy(RoutingContext ctx) {
    String requestId = RequestLog.requestId(ctx);
    if (requestId == null) {
      requestId = RequestLog.ensureRequestId(ctx.request());
    }
    new ProxyExchange(ctx.request(), protection.bodyLimits().stream(vertx, ctx.request()), client, pool,
        config.externalUrl(), requestId).start();
  }
}
