package dev.berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The gateway in front of two real HTTP servers playing registry-service instances. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayProxyTest {

  private Vertx vertx;
  private FakeRegistry a;
  private FakeRegistry b;
  private GatewayVerticle gateway;
  private String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    a = new FakeRegistry(vertx, "a").start();
    b = new FakeRegistry(vertx, "b").start();
    gateway = new GatewayVerticle(new GatewayConfig("127.0.0.1", 0, List.of(a.url(), b.url()), null, 100, 2));
    await(vertx.deployVerticle(gateway));
    base = "http://127.0.0.1:" + gateway.actualPort();
  }

  @AfterAll
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void spreadsRequestsRoundRobin() throws Exception {
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> resp = get("/v2/");
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(resp.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
      served.add(resp.headers().firstValue("X-Upstream").orElseThrow());
    }
    assertThat(served).containsExactlyInAnyOrder("a", "a", "b", "b");
    assertThat(served.get(0)).isNotEqualTo(served.get(1));
  }

  @Test
  void skipsAnUnreadyUpstreamUntilItIsReadyAgain() throws Exception {
    b.ready.set(false);
    awaitTwoMoreProbes(b);
    for (int i = 0; i < 6; i++) {
      assertThat(get("/v2/").headers().firstValue("X-Upstream")).contains("a");
    }
    b.ready.set(true);
    awaitTwoMoreProbes(b);
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      served.add(get("/v2/").headers().firstValue("X-Upstream").orElseThrow());
    }
    assertThat(served).contains("a", "b");
  }

  @Test
  void streamsAChunkedUploadWithItsDigestIntact() throws Exception {
    long size = 64L * 1024 * 1024;
    MessageDigest sent = FakeRegistry.sha256();
    // No length given: the JDK client sends Transfer-Encoding: chunked, as docker does for PATCH.
    HttpRequest patch = HttpRequest.newBuilder(URI.create(base + "/v2/test/blobs/uploads/u1?_state=x"))
        .method("PATCH", BodyPublishers.ofInputStream(() -> new GeneratedStream(size, sent)))
        .header("Content-Type", "application/octet-stream")
        .build();
    HttpResponse<String> resp = http.send(patch, BodyHandlers.ofString());

    String expected = HexFormat.of().formatHex(sent.digest());
    assertThat(resp.statusCode()).isEqualTo(202);
    assertThat(resp.headers().firstValue("Docker-Content-Digest")).contains("sha256:" + expected);
    FakeRegistry.Seen upstream = lastOn(resp);
    assertThat(upstream.headers().get("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
    assertThat(upstream.headers().contains("Content-Length")).isFalse();
    FakeRegistry.Body body = upstream.body().get(30, TimeUnit.SECONDS);
    assertThat(body.length()).isEqualTo(size);
    assertThat(body.sha256()).isEqualTo(expected);
  }

  @Test
  void keepsContentLengthOfAFixedSizeUploadAndAnswers100Continue() throws Exception {
    long size = 3L * 1024 * 1024 + 17;
    MessageDigest sent = FakeRegistry.sha256();
    HttpRequest put = HttpRequest.newBuilder(URI.create(base + "/v2/test/blobs/uploads/u1?digest=sha256:x"))
        .expectContinue(true)
        .PUT(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> new GeneratedStream(size, sent)), size))
        .build();
    HttpResponse<String> resp = http.send(put, BodyHandlers.ofString());

    assertThat(resp.statusCode()).isEqualTo(201);
    assertThat(resp.headers().firstValue("Docker-Content-Digest"))
        .contains("sha256:" + HexFormat.of().formatHex(sent.digest()));
    FakeRegistry.Seen upstream = lastOn(resp);
    assertThat(upstream.headers().get("Content-Length")).isEqualTo(Long.toString(size));
    assertThat(upstream.headers().contains("Expect")).isFalse();
  }

  @Test
  void passesRangeRequestsThrough() throws Exception {
    HttpRequest ranged = HttpRequest.newBuilder(URI.create(base + "/v2/test/blobs/sha256:feed"))
        .header("Range", "bytes=100-199").build();
    HttpResponse<byte[]> resp = http.send(ranged, BodyHandlers.ofByteArray());

    assertThat(resp.statusCode()).isEqualTo(206);
    assertThat(resp.headers().firstValue("Content-Range")).contains("bytes 100-199/" + FakeRegistry.BLOB_SIZE);
    assertThat(resp.headers().firstValue("Content-Length")).contains("100");
    assertThat(resp.body()).isEqualTo(FakeRegistry.blob(100, 200).getBytes());
  }

  @Test
  void keepsContentLengthOnHead() throws Exception {
    HttpRequest head = HttpRequest.newBuilder(URI.create(base + "/v2/test/blobs/sha256:feed"))
        .method("HEAD", BodyPublishers.noBody()).build();
    HttpResponse<byte[]> resp = http.send(head, BodyHandlers.ofByteArray());

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.headers().firstValue("Content-Length")).contains(Integer.toString(FakeRegistry.BLOB_SIZE));
    assertThat(resp.headers().firstValue("Docker-Content-Digest")).contains("sha256:feed");
    assertThat(resp.body()).isEmpty();
  }

  @Test
  void rewritesAbsoluteUpstreamLocationsToTheGateway() throws Exception {
    HttpResponse<String> resp = http.send(
        HttpRequest.newBuilder(URI.create(base + "/v2/test/blobs/uploads/")).POST(BodyPublishers.noBody()).build(),
        BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(202);
    assertThat(resp.headers().firstValue("Location")).contains(base + "/v2/test/blobs/uploads/u1?_state=abc%3D");

    HttpResponse<String> relative = http.send(
        HttpRequest.newBuilder(URI.create(base + "/v2/test/blobs/uploads/")).POST(BodyPublishers.noBody())
            .header("X-Test-Relative", "1").build(),
        BodyHandlers.ofString());
    assertThat(relative.headers().firstValue("Location")).contains("/v2/test/blobs/uploads/u1?_state=abc%3D");
  }

  @Test
  void echoesAndForwardsTheRequestId() throws Exception {
    HttpResponse<String> given = http.send(
        HttpRequest.newBuilder(URI.create(base + "/v2/")).header("X-Request-Id", "req-42").build(),
        BodyHandlers.ofString());
    assertThat(given.headers().allValues("X-Request-Id")).containsExactly("req-42");
    assertThat(lastOn(given).headers().get("X-Request-Id")).isEqualTo("req-42");

    HttpResponse<String> generated = get("/v2/");
    String id = generated.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(id).isNotBlank().isNotEqualTo("req-42");
    assertThat(lastOn(generated).headers().get("X-Request-Id")).isEqualTo(id);
  }

  @Test
  void addsForwardedHeadersAndDropsHopByHopOnes() throws Exception {
    String raw = rawExchange("GET /v2/ HTTP/1.1\r\nHost: registry.example:5000\r\n"
        + "Connection: keep-alive, X-Hop\r\nConnection: close\r\nX-Hop: secret\r\nProxy-Authorization: Basic eA==\r\n"
        + "Keep-Alive: timeout=5\r\nX-End-To-End: kept\r\n\r\n");
    assertThat(raw).startsWith("HTTP/1.1 200");
    String upstream = raw.contains("X-Upstream: a") ? "a" : "b";
    FakeRegistry.Seen seen = (upstream.equals("a") ? a : b).last();
    assertThat(seen.headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().get("X-Forwarded-Proto")).isEqualTo("http");
    assertThat(seen.headers().get("X-Forwarded-Host")).isEqualTo("registry.example:5000");
    assertThat(seen.headers().get("X-End-To-End")).isEqualTo("kept");
    assertThat(seen.headers().contains("X-Hop")).isFalse();
    assertThat(seen.headers().contains("Proxy-Authorization")).isFalse();
    assertThat(seen.headers().contains("Keep-Alive")).isFalse();
    assertThat(seen.headers().get("Host")).isEqualTo("127.0.0.1:" + (upstream.equals("a") ? a : b).port());
  }

  @Test
  void abortsTheUpstreamUploadWhenTheClientLeaves() throws Exception {
    int before = a.requests().size() + b.requests().size();
    try (Socket socket = new Socket("127.0.0.1", gateway.actualPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("PATCH /v2/test/blobs/uploads/u2 HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[1024 * 1024]);
      out.flush();
      waitFor(() -> a.requests().size() + b.requests().size() > before);
    }
    FakeRegistry.Seen upload = uploadTo("/u2");
    FakeRegistry.Body body = upload.body().get(30, TimeUnit.SECONDS);
    assertThat(body.aborted()).as("upstream saw the upload cut off, not completed").isTrue();
    assertThat(get("/v2/").statusCode()).isEqualTo(200);
  }

  @Test
  void cutsTheClientOffWhenTheUpstreamBreaksMidBody() {
    assertThatThrownBy(() -> http.send(
        HttpRequest.newBuilder(URI.create(base + "/v2/test/broken")).build(), BodyHandlers.ofByteArray()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void servesItsOwnHealthAndReadiness() throws Exception {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("UP");
    assertThat(a.requests().stream().noneMatch(s -> s.uri().startsWith("/health"))).isTrue();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), BodyHandlers.ofString());
  }

  private FakeRegistry.Seen lastOn(HttpResponse<?> resp) {
    return resp.headers().firstValue("X-Upstream").orElseThrow().equals("a") ? a.last() : b.last();
  }

  private FakeRegistry.Seen uploadTo(String suffix) {
    List<FakeRegistry.Seen> all = new ArrayList<>(a.requests());
    all.addAll(b.requests());
    return all.stream().filter(s -> s.uri().endsWith(suffix)).findFirst().orElseThrow();
  }

  private String rawExchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.actualPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static void awaitTwoMoreProbes(FakeRegistry upstream) throws InterruptedException {
    // The second probe only starts after the first finished, and the first began after the change.
    int seen = upstream.probes.get();
    waitFor(() -> upstream.probes.get() >= seen + 2);
  }

  static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 20 s");
      }
      Thread.sleep(20);
    }
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
