package dev.berth.gateway;

import dev.berth.gateway.protect.BodyTooLarge;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.ReadStream;
import java.net.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request relayed to one upstream (two for a retried bodiless request). Bodies flow
 * through {@link Pipe}s in both directions, so a slow side pauses the other instead of filling
 * the heap. A failure on either side resets the other, never ends it: ending would tell the
 * upstream a truncated upload was complete.
 */
final class ProxyExchange {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

  private final HttpServerRequest req;
  private final HttpServerResponse resp;
  private final HttpClient client;
  private final UpstreamPool pool;
  private final String externalBase;
  private final String requestId;
  /** Null when the request carries no body; created at once because it pauses the request. */
  private final Pipe<Buffer> bodyPipe;
  private final boolean expectContinue;
  private HttpClientRequest upstreamRequest;
  private boolean relayingResponse;
  private boolean done;

  /** {@code body} is {@code req} itself or a view of it enforcing a size limit ({@link BodyTooLarge}). */
  ProxyExchange(HttpServerRequest req, ReadStream<Buffer> body, HttpClient client, UpstreamPool pool,
                String externalBase, String requestId) {
    this.req = req;
    this.resp = req.response();
    this.client = client;
    this.pool = pool;
    this.externalBase = externalBase;
    this.requestId = requestId;
    this.expectContinue = "100-continue".equalsIgnoreCase(req.getHeader(HttpHeaders.EXPECT));
    this.bodyPipe = hasBody(req) ? body.pipe().endOnFailure(false) : null;
  }

  void start() {
    resp.closeHandler(v -> clientGone());
    Upstream first = pool.pick(null);
    if (first == null) {
      pool.probeSoon();
      fail(503, "UNAVAILABLE", "no registry upstream is ready");
      return;
    }
    attempt(first, false);
  }

  private void attempt(Upstream upstream, boolean isRetry) {
    RequestOptions options = new RequestOptions()
        .setMethod(req.method())
        .setHost(upstream.address().host())
        .setPort(upstream.port())
        .setSsl(upstream.ssl())
        .setURI(req.uri())
        .setHeaders(ProxiedHeaders.toUpstream(req, requestId));
    client.request(options).onComplete(ar -> {
      if (ar.failed()) {
        upstreamFailed(upstream, isRetry, ar.cause(), true);
        return;
      }
      if (done) {
        // The client left while we were waiting for a connection.
        ar.result().reset();
        return;
      }
      HttpClientRequest creq = ar.result();
      upstreamRequest = creq;
      // Failures surface through the response future and the pipes; this only keeps Vert.x from
      // logging our own resets as unhandled errors.
      creq.exceptionHandler(e -> LOG.debug("upstream request {} {}: {}", req.method(), req.uri(), e.toString()));
      creq.response().onComplete(r -> {
        if (r.succeeded()) {
          relay(r.result());
        } else {
          upstreamFailed(upstream, isRetry, r.cause(), false);
        }
      });
      if (bodyPipe == null) {
        creq.end();
        return;
      }
      if (!req.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
        creq.setChunked(true);
      }
      if (expectContinue) {
        resp.writeContinue();
      }
      bodyPipe.to(creq).onFailure(e -> {
        if (e instanceof BodyTooLarge tooLarge) {
          // Answer first: the reset below fails the upstream response, which must not become a 502.
          fail(413, tooLarge.registryCode(), tooLarge.apiCode(), tooLarge.getMessage());
        }
        creq.reset(0, e);
      });
    });
  }

  private void relay(HttpClientResponse cresp) {
    if (done) {
      upstreamRequest.reset();
      return;
    }
    relayingResponse = true;
    resp.setStatusCode(cresp.statusCode());
    if (cresp.statusMessage() != null) {
      resp.setStatusMessage(cresp.statusMessage());
    }
    MultiMap headers = resp.headers();
    ProxiedHeaders.toClient(cresp.headers(), headers, pool, externalBase(req));
    boolean bodiless = req.method() == HttpMethod.HEAD || cresp.statusCode() == 204 || cresp.statusCode() == 304;
    if (!bodiless && !headers.contains(HttpHeaders.CONTENT_LENGTH)) {
      resp.setChunked(true);
    }
    cresp.pipe().endOnFailure(false).to(resp).onComplete(ar -> {
      if (ar.succeeded()) {
        done = true;
        return;
      }
      // Either the upstream broke off mid-body or the client left: drop both connections so
      // neither side mistakes a partial body for a whole one, and no pooled socket is left dirty.
      LOG.debug("response relay for {} {} broke off: {}", req.method(), req.uri(), ar.cause().toString());
      done = true;
      upstreamRequest.reset();
      resp.reset();
    });
  }

  private void upstreamFailed(Upstream upstream, boolean wasRetry, Throwable cause, boolean beforeRequest) {
    if (done) {
      return;
    }
    if (cause instanceof ConnectException) {
      pool.connectionRefused(upstream);
    }
    if (bodyPipe == null && !wasRetry && !relayingResponse && isIdempotentWithoutBody(req.method())) {
      Upstream next = pool.pick(upstream);
      if (next == null && upstream.healthy()) {
        // Only one upstream: a pooled connection the upstream had just closed is the usual cause.
        next = upstream;
      }
      if (next != null) {
        LOG.debug("retrying {} {} on {} after {}", req.method(), req.uri(), next, cause.toString());
        attempt(next, true);
        return;
      }
    }
    LOG.warn("upstream {} failed {} {} ({}): {}", upstream, req.method(), req.uri(),
        beforeRequest ? "no connection" : "no response", cause.toString());
    fail(502, "UNAVAILABLE", "the registry upstream did not answer");
  }

  private void clientGone() {
    if (done) {
      return;
    }
    done = true;
    if (upstreamRequest != null) {
      upstreamRequest.reset();
    }
  }

  /** Answers with an error when nothing has been relayed yet; a request body still coming is discarded. */
  private void fail(int status, String code, String message) {
    fail(status, code, code.toLowerCase(java.util.Locale.ROOT), message);
  }

  private void fail(int status, String registryCode, String apiCode, String message) {
    done = true;
    if (bodyPipe != null) {
      // close() unhooks the pipe and resumes the request so its remaining bytes are read and dropped;
      // otherwise the connection would wait forever for a body nobody reads.
      bodyPipe.close();
    }
    if (resp.closed() || resp.ended()) {
      return;
    }
    if (resp.headWritten()) {
      resp.reset();
      return;
    }
    ProxyErrors.send(req, status, registryCode, apiCode, message);
  }

  private String externalBase(HttpServerRequest request) {
    if (externalBase != null) {
      return externalBase;
    }
    String host = request.getHeader(HttpHeaders.HOST);
    if (host == null) {
      host = request.authority() != null ? request.authority().toString() : request.localAddress().toString();
    }
    return (request.isSSL() ? "https://" : "http://") + host;
  }

  static boolean hasBody(HttpServerRequest req) {
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      return !"0".equals(length.trim());
    }
    return req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  private static boolean isIdempotentWithoutBody(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.DELETE;
  }
}
