package dev.berth.gateway;

import dev.berth.gateway.audit.AuditConfig;
import dev.berth.gateway.protect.ProtectionConfig;
import dev.berth.kit.Config;
import dev.berth.kit.DatabaseConfig;
import java.net.URI;
import java.util.List;

/**
 * Settings of the gateway.
 *
 * @param host                  interface to bind ({@code gateway.host}, default 127.0.0.1)
 * @param port                  port to bind, 0 = pick a free one ({@code gateway.port}, default 5000)
 * @param upstreams             registry-service base URLs such as {@code http://127.0.0.1:5001}
 *                              ({@code gateway.upstreams}, a YAML list or a comma-separated env value)
 * @param externalUrl           the URL clients reach the gateway at, used to rewrite upstream
 *                              {@code Location} headers ({@code gateway.external-url}); null means
 *                              "whatever Host the client used", which is right behind any port mapping
 * @param healthCheckIntervalMs period of {@code GET <upstream>/ready} probes
 *                              ({@code gateway.health-check-interval-ms}, default 2000)
 * @param instances             event loops serving the port ({@code gateway.instances}, default: cores)
 * @param protection            rate limits, TLS, body limits (see {@link ProtectionConfig})
 * @param database              the gateway's own PostgreSQL ({@code gateway.database.host|port|name|user|password});
 *                              null when neither {@code gateway.database.host} nor {@code .name} is set
 * @param audit                 audit log settings (see {@link AuditConfig}); the log needs {@code database}
 */
public record GatewayConfig(String host, int port, List<String> upstreams, String externalUrl,
                            int healthCheckIntervalMs, int instances, ProtectionConfig protection,
                            DatabaseConfig database, AuditConfig audit) {

  public static final String HOST = "gateway.host";
  public static final String PORT = "gateway.port";
  public static final String UPSTREAMS = "gateway.upstreams";
  public static final String EXTERNAL_URL = "gateway.external-url";
  public static final String HEALTH_CHECK_INTERVAL_MS = "gateway.health-check-interval-ms";
  public static final String INSTANCES = "gateway.instances";
  public static final String DATABASE = "gateway.database";

  public GatewayConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(HOST + " must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(PORT + " must be 0..65535, got " + port);
    }
    upstreams = List.copyOf(upstreams == null ? List.of() : upstreams);
    for (String upstream : upstreams) {
      checkUpstream(upstream);
    }
    if (externalUrl != null && externalUrl.isBlank()) {
      externalUrl = null;
    }
    if (externalUrl != null) {
      while (externalUrl.endsWith("/")) {
        externalUrl = externalUrl.substring(0, externalUrl.length() - 1);
      }
    }
    if (healthCheckIntervalMs <= 0) {
      throw new IllegalArgumentException(HEALTH_CHECK_INTERVAL_MS + " must be positive, got " + healthCheckIntervalMs);
    }
    if (instances <= 0) {
      instances = defaultInstances();
    }
    protection = protection == null ? ProtectionConfig.DEFAULTS : protection;
    audit = audit == null ? AuditConfig.DEFAULTS : audit;
  }

  public GatewayConfig(String host, int port, List<String> upstreams, String externalUrl, int healthCheckIntervalMs,
                       int instances) {
    this(host, port, upstreams, externalUrl, healthCheckIntervalMs, instances, ProtectionConfig.DEFAULTS, null, null);
  }

  public GatewayConfig withProtection(ProtectionConfig settings) {
    return new GatewayConfig(host, port, upstreams, externalUrl, healthCheckIntervalMs, instances, settings,
        database, audit);
  }

  public GatewayConfig withDatabase(DatabaseConfig db, AuditConfig auditSettings) {
    return new GatewayConfig(host, port, upstreams, externalUrl, healthCheckIntervalMs, instances, protection,
        db, auditSettings);
  }

  /** The shape the rest of Berth builds by hand; one serving event loop per core. */
  public GatewayConfig(String host, int port, List<String> upstreams, String externalUrl, int healthCheckIntervalMs) {
    this(host, port, upstreams, externalUrl, healthCheckIntervalMs, defaultInstances());
  }

  public static GatewayConfig from(Config c) {
    return new GatewayConfig(
        c.string(HOST, "127.0.0.1"),
        c.integer(PORT, 5000),
        c.list(UPSTREAMS, List.of()),
        c.string(EXTERNAL_URL, null),
        c.integer(HEALTH_CHECK_INTERVAL_MS, 2000),
        c.integer(INSTANCES, defaultInstances()),
        ProtectionConfig.from(c),
        c.has(DATABASE + ".host") || c.has(DATABASE + ".name") ? DatabaseConfig.from(c, DATABASE) : null,
        AuditConfig.from(c));
  }

  private static int defaultInstances() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  private static void checkUpstream(String upstream) {
    URI uri;
    try {
      uri = URI.create(upstream);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(UPSTREAMS + ": not a URL: " + upstream, e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException(UPSTREAMS + ": expected http(s)://host:port, got " + upstream);
    }
  }
}
