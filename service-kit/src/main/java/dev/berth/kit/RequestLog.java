package dev.berth.kit;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request ids and the access log. Put {@link #create} first on a router: it takes
 * {@code X-Request-Id} from the request (or makes one), echoes it on the response and logs one
 * line per finished request to the SLF4J logger {@code access}. Bodies are never read.
 */
public final class RequestLog {

  public static final String HEADER = "X-Request-Id";
  /** Key under which the id is stored in the RoutingContext ({@code ctx.get(CONTEXT_KEY)}). */
  public static final String CONTEXT_KEY = "requestId";

  private static final Logger ACCESS = LoggerFactory.getLogger("access");
  private static final int MAX_ID_LENGTH = 128;

  private RequestLog() {}

  /** A vertx-web handler for the first route of a router. */
  public static Handler<RoutingContext> create(String serviceName) {
    return ctx -> {
      long startNanos = System.nanoTime();
      HttpServerRequest request = ctx.request();
      String id = ensureRequestId(request);
      ctx.put(CONTEXT_KEY, id);
      // Runs on normal end and on a connection closed before the response ended.
      ctx.addEndHandler(ended -> log(serviceName, request, id, startNanos, ended.succeeded()));
      ctx.next();
    };
  }

  /**
   * For a raw HttpServer: wraps {@code next} so every request gets an id and an access-log line.
   * It uses the response's end and close handlers, so {@code next} must not set its own.
   */
  public static Handler<HttpServerRequest> wrap(String serviceName, Handler<HttpServerRequest> next) {
    return request -> {
      long startNanos = System.nanoTime();
      String id = ensureRequestId(request);
      HttpServerResponse response = request.response();
      boolean[] logged = new boolean[1];
      response.endHandler(v -> {
        if (!logged[0]) {
          logged[0] = true;
          log(serviceName, request, id, startNanos, true);
        }
      });
      response.closeHandler(v -> {
        if (!logged[0]) {
          logged[0] = true;
          log(serviceName, request, id, startNanos, false);
        }
      });
      next.handle(request);
    };
  }

  /** The request's id (taken from X-Request-Id when sane, else generated), set on the response. */
  public static String ensureRequestId(HttpServerRequest request) {
    String id = request.getHeader(HEADER);
    if (!isSane(id)) {
      id = UUID.randomUUID().toString();
    }
    request.response().putHeader(HEADER, id);
    return id;
  }

  /** The id {@link #create} stored for this request, or null when the handler is not mounted. */
  public static String requestId(RoutingContext ctx) {
    return ctx.get(CONTEXT_KEY);
  }

  // A client-chosen id lands in headers and logs: only short, visible ASCII without spaces.
  private static boolean isSane(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= ' ' || c >= 127 || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static void log(String service, HttpServerRequest request, String id, long startNanos,
      boolean completed) {
    String path = request.path();
    // Probes arrive every few seconds from every gateway and orchestrator: only worth a debug line.
    boolean probe = path.equals("/health") || path.equals("/ready") || path.equals("/metrics");
    if (probe ? !ACCESS.isDebugEnabled() : !ACCESS.isInfoEnabled()) {
      return;
    }
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    HttpServerResponse response = request.response();
    int status = response.getStatusCode();
    long bytes = response.bytesWritten();
    SocketAddress remote = request.remoteAddress();
    String remoteText = remote == null ? "-" : remote.hostAddress();
    String method = request.method().name();
    (probe ? ACCESS.atDebug() : ACCESS.atInfo())
        .addKeyValue("service", service)
        .addKeyValue("method", method)
        .addKeyValue("path", path)
        .addKeyValue("status", status)
        .addKeyValue("bytes", bytes)
        .addKeyValue("durationMs", millis)
        .addKeyValue("requestId", id)
        .addKeyValue("remote", remoteText)
        .addKeyValue("completed", completed)
        .log("{} {} {} {}B {}ms id={} remote={}{}", method, path, status, bytes, millis, id,
            remoteText, completed ? "" : " (connection closed before the response ended)");
  }
}
