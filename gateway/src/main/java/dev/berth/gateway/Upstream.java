package dev.berth.gateway;

import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.util.Locale;

/** One registry-service instance behind the gateway, and whether its last probe said it is ready. */
final class Upstream {

  private final String origin;
  private final boolean ssl;
  private final String host;
  private final int port;
  private final SocketAddress address;
  /** Written by the health checker's event loop, read by every serving event loop. */
  private volatile boolean healthy;

  Upstream(String baseUrl) {
    URI uri = URI.create(baseUrl);
    this.ssl = "https".equals(uri.getScheme());
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
    this.origin = (ssl ? "https://" : "http://") + host.toLowerCase(Locale.ROOT) + ":" + port;
    // URI keeps IPv6 literals bracketed; sockets want them bare.
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    this.address = SocketAddress.inetSocketAddress(port, bare);
  }

  /** {@code scheme://host:port}, lowercase host, explicit port. */
  String origin() {
    return origin;
  }

  boolean ssl() {
    return ssl;
  }

  int port() {
    return port;
  }

  SocketAddress address() {
    return address;
  }

  boolean healthy() {
    return healthy;
  }

  /** @return true when this changed the state */
  boolean markHealthy(boolean value) {
    boolean before = healthy;
    healthy = value;
    return before != value;
  }

  /** Whether an absolute URL points at this upstream (same scheme, host and port). */
  boolean owns(URI url) {
    if (url.getScheme() == null || url.getHost() == null) {
      return false;
    }
    boolean urlSsl = "https".equalsIgnoreCase(url.getScheme());
    if (!urlSsl && !"http".equalsIgnoreCase(url.getScheme())) {
      return false;
    }
    int urlPort = url.getPort() > 0 ? url.getPort() : (urlSsl ? 443 : 80);
    return urlSsl == ssl && urlPort == port && url.getHost().equalsIgnoreCase(host);
  }

  @Override
  public String toString() {
    return origin;
  }
}
