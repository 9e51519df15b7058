package dev.berth.gateway;

import dev.berth.gateway.audit.AuditLog;
import dev.berth.gateway.protect.ListenerCheck;
import dev.berth.gateway.protect.Protection;
import dev.berth.kit.Database;
import dev.berth.gateway.auth.AuthSettings;
import dev.berth.gateway.auth.GatewayAuth;
import dev.berth.kit.ServerPorts;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
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
  private final LocalRegistry localRegistry;
  private final UpstreamPool pool;
  private final Protection protection;
  private Pool database;
  private AuditLog audit = AuditLog.disabled();
  private GatewayAuth auth;
  private volatile int actualPort = -1;

  /** A gateway without authentication: development and the proxy's own tests. */
  public GatewayVerticle(GatewayConfig config) {
    this(config, AuthSettings.DISABLED);
  }

  public GatewayVerticle(GatewayConfig config, AuthSettings authSettings) {
    this(config, authSettings, null);
  }

  /**
   * With {@code localRegistry}, the registry runs in this JVM and {@code /v2} and the registry's
   * {@code /api/v1} paths are served in-process: the registry's routes go on each event loop's
   * router, in place of the proxy (no second HTTP hop; blob pulls keep {@code sendfile}). The upstream
   * pool still probes the registry's own port for readiness.
   */
  public GatewayVerticle(GatewayConfig config, AuthSettings authSettings, LocalRegistry localRegistry) {
    this.config = config;
    this.authSettings = authSettings;
    this.localRegistry = localRegistry;
    this.pool = new UpstreamPool(config.upstreams());
    this.protection = new Protection(config.protection());
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
    // Resolving a host name may block on DNS.
    return vertx.executeBlocking(() -> {
          ListenerCheck.requireSafe(config.host(), config.protection());
          return null;
        })
        .compose(v -> startDatabase())
        .compose(v -> authSettings.enabled()
            ? GatewayAuth.start(vertx, authSettings).onSuccess(a -> auth = a).<Void>mapEmpty()
            : Future.<Void>succeededFuture())
        .compose(v -> pool.start(vertx, config.healthCheckIntervalMs()))
        .onSuccess(v -> protection.start(vertx))
        .compose(v -> {
          List<Future<Integer>> servers = new ArrayList<>();
          for (int i = 0; i < config.instances(); i++) {
            servers.add(deployServer(listenPort));
          }
          return Future.all(servers).map(all -> all.<Integer>resultAt(0));
        })
        .onSuccess(port -> actualPort = port)
        .onSuccess(v -> LOG.info("gateway listening on {}://{}:{} ({} event loops) for upstreams {}",
            config.protection().tls() == null ? "http" : "https", config.host(), actualPort, config.instances(),
            config.upstreams()));
  }

  @Override
  public Future<?> stop() {
    // The servers (child deployments) are gone by now, so nothing records any more: flush, then close.
    return pool.stop()
        .eventually(protection::stop)
        .eventually(audit::stop)
        .eventually(() -> database == null ? Future.succeededFuture() : database.close())
        .eventually(() -> auth == null ? Future.succeededFuture() : auth.close());
  }

  /** The audit log this gateway writes to (disabled without a database). */
  public AuditLog audit() {
    return audit;
  }

  /** Migrates and opens the gateway's database when one is configured; the audit log writes there. */
  private Future<Void> startDatabase() {
    if (config.database() == null) {
      LOG.info("gateway has no database ({}.*): audit log off", GatewayConfig.DATABASE);
      return Future.succeededFuture();
    }
    return Database.migrate(vertx, config.database(), "classpath:db/gateway").map(v -> {
      database = Database.pool(vertx, config.database());
      if (config.audit().enabled()) {
        audit = AuditLog.start(vertx, database, config.audit());
      }
      return null;
    });
  }

  private Future<Integer> deployServer(int port) {
    ProxyServerVerticle server = new ProxyServerVerticle(config, pool, port, protection, audit, auth, localRegistry);
    return vertx.deployVerticle(server).map(id -> server.actualPort());
  }
}
