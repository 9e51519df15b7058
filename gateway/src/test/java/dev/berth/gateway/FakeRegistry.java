package dev.berth.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server playing a registry-service instance: enough of the distribution API's shapes
 * (ready probe, blob GET/HEAD with ranges, upload POST/PATCH/PUT) to watch what the gateway
 * forwards. Upload bodies are hashed as they arrive, never collected.
 */
final class FakeRegistry {

  /** A deterministic blob the fake serves for any /blobs/ GET or HEAD. */
  static final int BLOB_SIZE = 1024 * 1024;

  record Seen(String method, String uri, MultiMap headers, CompletableFuture<Body> body) {
  }

  /** What arrived of a request body: its size and digest, or that the sender vanished mid-way. */
  record Body(long length, String sha256, boolean aborted) {
  }

  final String name;
  final AtomicBoolean ready = new AtomicBoolean(true);
  final AtomicInteger probes = new AtomicInteger();
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Vertx vertx;
  private HttpServer server;

  FakeRegistry(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
  }

  FakeRegistry start() throws Exception {
    server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return this;
  }

  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  int port() {
    return server.actualPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  /** Requests other than readiness probes. */
  List<Seen> requests() {
    return seen.stream().toList();
  }

  Seen last() {
    List<Seen> all = requests();
    return all.get(all.size() - 1);
  }

  static byte blobByte(long offset) {
    return (byte) (offset * 31 + (offset >> 11));
  }

  private void handle(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    resp.putHeader("X-Upstream", name);
    if (req.path().equals("/ready")) {
      probes.incrementAndGet();
      resp.setStatusCode(ready.get() ? 200 : 503).end(ready.get() ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
      return;
    }
    CompletableFuture<Body> body = new CompletableFuture<>();
    seen.add(new Seen(req.method().name(), req.uri(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body));
    hash(req, body);

    String path = req.path();
    if (path.equals("/v2/") || path.equals("/v2")) {
      resp.putHeader("Docker-Distribution-API-Version", "registry/2.0").end("{}");
    } else if (path.endsWith("/blobs/uploads/") && req.method() == HttpMethod.POST) {
      String location = req.getHeader("X-Test-Relative") != null
          ? "/v2/test/blobs/uploads/u1?_state=abc%3D"
          : url() + "/v2/test/blobs/uploads/u1?_state=abc%3D";
      resp.setStatusCode(202).putHeader("Location", location).putHeader("Content-Length", "0").end();
    } else if (path.contains("/blobs/uploads/") || path.contains("/manifests/") && req.method() == HttpMethod.PUT
        || path.startsWith("/api/v1/") && req.method() != HttpMethod.GET) {
      // PATCH or PUT: answer once the whole body has been read and hashed.
      body.whenComplete((b, e) -> vertx.runOnContext(v -> {
        if (b != null && !b.aborted() && !resp.closed()) {
          resp.setStatusCode(req.method() == HttpMethod.PUT ? 201 : 202)
              .putHeader("Docker-Content-Digest", "sha256:" + b.sha256())
              .putHeader("Location", url() + path)
              .putHeader("Content-Length", "0")
              .end();
        }
      }));
    } else if (path.endsWith("/broken")) {
      // Promises a whole blob, sends half, then drops the connection.
      resp.putHeader("Content-Length", Integer.toString(BLOB_SIZE));
      resp.write(blob(0, BLOB_SIZE / 2)).onComplete(v -> vertx.setTimer(50, t -> resp.reset()));
    } else if (path.contains("/blobs/")) {
      serveBlob(req, resp);
    } else {
      resp.setStatusCode(404).end();
    }
  }

  private void serveBlob(HttpServerRequest req, HttpServerResponse resp) {
    resp.putHeader("Docker-Content-Digest", "sha256:feed").putHeader("Content-Type", "application/octet-stream");
    String range = req.getHeader("Range");
    long start = 0;
    long end = BLOB_SIZE - 1;
    if (range != null && range.startsWith("bytes=")) {
      String[] bounds = range.substring(6).split("-");
      start = Long.parseLong(bounds[0]);
      end = Long.parseLong(bounds[1]);
      resp.setStatusCode(206).putHeader("Content-Range", "bytes " + start + "-" + end + "/" + BLOB_SIZE);
    }
    resp.putHeader("Content-Length", Long.toString(end - start + 1));
    if (req.method() == HttpMethod.HEAD) {
      resp.end();
    } else {
      resp.end(blob(start, end + 1));
    }
  }

  static Buffer blob(long from, long to) {
    byte[] bytes = new byte[(int) (to - from)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = blobByte(from + i);
    }
    return Buffer.buffer(bytes);
  }

  private static void hash(HttpServerRequest req, CompletableFuture<Body> body) {
    MessageDigest sha = sha256();
    long[] length = {0};
    req.handler(chunk -> {
      sha.update(chunk.getBytes());
      length[0] += chunk.length();
    });
    req.endHandler(v -> body.complete(new Body(length[0], HexFormat.of().formatHex(sha.digest()), false)));
    req.exceptionHandler(e -> body.complete(new Body(length[0], null, true)));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
