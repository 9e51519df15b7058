package dev.berth.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

/**
 * Which headers cross the gateway and how: end-to-end headers pass unchanged, hop-by-hop ones
 * (RFC 9110 section 7.6.1) stop here, the X-Forwarded-* trio is added, upstream Locations are
 * turned into gateway URLs.
 */
final class ProxiedHeaders {

  static final String REQUEST_ID = "X-Request-Id";
  static final String FORWARDED_FOR = "X-Forwarded-For";
  static final String FORWARDED_PROTO = "X-Forwarded-Proto";
  static final String FORWARDED_HOST = "X-Forwarded-Host";

  /** Hop-by-hop by definition, plus Proxy-* (matched by prefix) and any header Connection names. */
  private static final List<String> HOP_BY_HOP = List.of(
      "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

  private ProxiedHeaders() {
  }

  /**
   * The headers to send upstream. Host is left to the HTTP client (it names the upstream; the
   * client's Host travels as X-Forwarded-Host), Expect is answered by the gateway itself, and
   * Transfer-Encoding is re-applied by the client when the body is chunked.
   */
  static MultiMap toUpstream(HttpServerRequest req, String requestId) {
    MultiMap in = req.headers();
    MultiMap out = HttpHeaders.headers();
    String connectionTokens = connectionTokens(in);
    for (Map.Entry<String, String> header : in) {
      String name = header.getKey();
      if (isHopByHop(name, connectionTokens)
          || name.equalsIgnoreCase("host")
          || name.equalsIgnoreCase("expect")
          || name.equalsIgnoreCase(REQUEST_ID)
          || name.equalsIgnoreCase(FORWARDED_FOR)) {
        continue;
      }
      out.add(name, header.getValue());
    }
    out.set(REQUEST_ID, requestId);
    String clientAddress = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    String priorChain = String.join(", ", in.getAll(FORWARDED_FOR));
    if (clientAddress == null) {
      if (!priorChain.isEmpty()) {
        out.set(FORWARDED_FOR, priorChain);
      }
    } else {
      out.set(FORWARDED_FOR, priorChain.isEmpty() ? clientAddress : priorChain + ", " + clientAddress);
    }
    // A TLS terminator in front of us may already have said what the client used; keep its word.
    if (!out.contains(FORWARDED_PROTO)) {
      out.set(FORWARDED_PROTO, req.isSSL() ? "https" : "http");
    }
    if (!out.contains(FORWARDED_HOST) && in.contains(HttpHeaders.HOST)) {
      out.set(FORWARDED_HOST, in.get(HttpHeaders.HOST));
    }
    return out;
  }

  /**
   * Copies the upstream response headers to the client response. The request id is the gateway's
   * (already set), and Location is rewritten when it points at an upstream.
   */
  static void toClient(MultiMap upstream, MultiMap client, UpstreamPool pool, String externalBase) {
    String connectionTokens = connectionTokens(upstream);
    for (Map.Entry<String, String> header : upstream) {
      String name = header.getKey();
      if (isHopByHop(name, connectionTokens) || name.equalsIgnoreCase(REQUEST_ID)) {
        continue;
      }
      if (name.equalsIgnoreCase("location")) {
        client.add(name, rewriteLocation(header.getValue(), pool, externalBase));
      } else {
        client.add(name, header.getValue());
      }
    }
  }

  /** An absolute URL on one of the upstreams becomes the same path and query on the gateway. */
  static String rewriteLocation(String location, UpstreamPool pool, String externalBase) {
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      return location;
    }
    if (!uri.isAbsolute()) {
      return location;
    }
    for (Upstream u : pool.all()) {
      if (u.owns(uri)) {
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        String rawQuery = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        String rawFragment = uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment();
        return externalBase + rawPath + rawQuery + rawFragment;
      }
    }
    return location;
  }

  /** Every Connection header's value as one list; null in the common case of none at all. */
  private static String connectionTokens(MultiMap headers) {
    List<String> values = headers.getAll(HttpHeaders.CONNECTION);
    return values.isEmpty() ? null : String.join(",", values);
  }

  static boolean isHopByHop(String name, String connectionTokens) {
    for (String h : HOP_BY_HOP) {
      if (h.equalsIgnoreCase(name)) {
        return true;
      }
    }
    if (name.regionMatches(true, 0, "proxy-", 0, 6)) {
      return true;
    }
    if (connectionTokens != null) {
      for (String token : connectionTokens.split(",")) {
        if (token.trim().equalsIgnoreCase(name)) {
          return true;
        }
      }
    }
    return false;
  }
}
