package dev.berth.gateway;

import dev.berth.gateway.auth.AuthSettings;
import dev.berth.gateway.auth.GatewayAuth;
import dev.berth.kit.ServerPorts;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Berth's public entry point: a streaming reverse proxy for /v2 and /api/v1 in front of the
 * registry-service instances, plus its own /health, /ready and /metrics.
 *
 * <p>This verticle owns the upstream health probes and deploys one {@link ProxyServerVerticle}
 * per configured instance; Vert.x spreads their shared listening port over event loops, and
 * undeploying this verticle undeploys them.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);


  private final GatewayConfig config;
  private final AuthSettings authSettings;
  private final UpstreamPool pool;
  private GatewayAuth auth;
  private volatile int actualPort = -1;

  /** A gateway without authentication: development and the proxy's own tests. */
  public GatewayVerticle(GatewayConfig config) {
    this(config, AuthSettings.DISABLED);
  }

  public GatewayVerticle(GatewayConfig config, AuthSettings authSettings) {
    this.config = config;
    this.authSettings = authSettings;
    this.pool = new UpstreamPool(config.upstreams());
  }

  /** The bound port, useful when the configured one was 0; -1 before start completes. */
  public int actualPort() {
    return actualPort;
  }

  @Override
  public Future<?> start() {
    if (config.upstreams().isEmpty()) {
      LOG.warn("gateway has no upstreams configured ({}); every proxied request gets 503", GatewayConfig.UPSTREAMS);
    }
    // Vert.x shares a listening socket between servers asking for the same port; a random port
    // is shared only when asked for as a negative number, unique per gateway in this Vert.x.
    int listenPort = ServerPorts.shareable(config.port());
    if (!authSettings.enabled()) {
      LOG.warn("gateway authentication is off ({}=false): anyone may push, pull and delete", "gateway.auth.enabled");
    }
    Future<GatewayAuth> authStarted = authSettings.enabled()
        ? GatewayAuth.start(vertx, authSettings).onSuccess(a -> auth = a)
        : Future.succeededFuture();
    return authStarted
        .compose(a -> pool.start(vertx, config.healthCheckIntervalMs()))
        .compose(v -> {
          List<Future<Integer>> servers = new ArrayList<>();
          for (int i = 0; i < config.instances(); i++) {
            servers.add(deployServer(listenPort));
          }
          return Future.all(servers).map(all -> all.<Integer>resultAt(0));
        })
        .onSuccess(port -> actualPort = port)
        .onSuccess(v -> LOG.info("gateway listening on {}:{} ({} event loops) for upstreams {}",
            config.host(), actualPort, config.instances(), config.upstreams()));
  }

  @Override
  public Future<?> stop() {
    return pool.stop().eventually(() -> auth == null ? Future.succeededFuture() : auth.close());
  }

  private Future<Integer> deployServer(int port) {
    ProxyServerVerticle server = new ProxyServerVerticle(config, pool, port, auth);
    return vertx.deployVerticle(server).map(id -> server.actualPort());
  }
}
