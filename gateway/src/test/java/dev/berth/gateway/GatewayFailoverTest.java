package dev.berth.gateway;

import static dev.berth.gateway.GatewayProxyTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What clients see when upstreams are missing or die between health probes. */
class GatewayFailoverTest {

  /** Long enough that no periodic probe runs during a test: failures are noticed by requests. */
  private static final int PROBE_RARELY_MS = 600_000;

  private Vertx vertx;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stopVertx() throws Exception {
    await(vertx.close());
  }

  @Test
  void answers503InEachApisEnvelopeWhenNoUpstreamIsReady() throws Exception {
    String base = startGateway(List.of("http://127.0.0.1:" + unusedPort()), 100);

    HttpResponse<String> v2 = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/")).build(), BodyHandlers.ofString());
    assertThat(v2.statusCode()).isEqualTo(503);
    assertThat(v2.headers().firstValue("Content-Type")).contains("application/json");
    JsonObject error = new JsonObject(v2.body()).getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("code")).isEqualTo("UNAVAILABLE");
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.containsKey("detail")).isTrue();
    assertThat(v2.headers().firstValue("X-Request-Id")).isPresent();

    HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/r/blobs/uploads/u"))
        .PUT(BodyPublishers.ofByteArray(new byte[256 * 1024])).build(), BodyHandlers.ofString());
    assertThat(upload.statusCode()).isEqualTo(503);

    HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/deployments")).build(),
        BodyHandlers.ofString());
    assertThat(api.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(api.body()).getJsonObject("error").getString("code")).isEqualTo("unavailable");

    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(), BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), BodyHandlers.ofString())
        .statusCode()).isEqualTo(200);
  }

  @Test
  void retriesABodilessRequestOnTheOtherUpstreamWhenOneIsGone() throws Exception {
    FakeRegistry a = new FakeRegistry(vertx, "a").start();
    FakeRegistry b = new FakeRegistry(vertx, "b").start();
    String base = startGateway(List.of(a.url(), b.url()), PROBE_RARELY_MS);
    b.stop();

    for (int i = 0; i < 4; i++) {
      HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/")).build(), BodyHandlers.ofString());
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(resp.headers().firstValue("X-Upstream")).contains("a");
    }
  }

  @Test
  void neverRetriesARequestWithABody() throws Exception {
    FakeRegistry only = new FakeRegistry(vertx, "only").start();
    String base = startGateway(List.of(only.url()), PROBE_RARELY_MS);
    only.stop();

    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/r/blobs/uploads/u"))
        .PUT(BodyPublishers.ofByteArray(new byte[64 * 1024])).build(), BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(502);
    assertThat(new JsonObject(resp.body()).getJsonArray("errors").getJsonObject(0).getString("code"))
        .isEqualTo("UNAVAILABLE");
    // The refused connection took it out of rotation without waiting for a probe.
    HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/")).build(), BodyHandlers.ofString());
    assertThat(next.statusCode()).isEqualTo(503);
  }

  @Test
  void undeployingTheGatewayStopsEveryServerInstance() throws Exception {
    GatewayVerticle gateway = new GatewayVerticle(new GatewayConfig("127.0.0.1", 0, List.of(), null, 100, 2));
    String id = await(vertx.deployVerticle(gateway));
    URI health = URI.create("http://127.0.0.1:" + gateway.actualPort() + "/health");
    assertThat(http.send(HttpRequest.newBuilder(health).build(), BodyHandlers.ofString()).statusCode()).isEqualTo(200);

    await(vertx.undeploy(id));
    assertThatThrownBy(() -> new Socket("127.0.0.1", gateway.actualPort()).close()).isInstanceOf(ConnectException.class);
  }

  private String startGateway(List<String> upstreams, int probeIntervalMs) throws Exception {
    GatewayVerticle gateway = new GatewayVerticle(new GatewayConfig("127.0.0.1", 0, upstreams, null, probeIntervalMs, 1));
    await(vertx.deployVerticle(gateway));
    return "http://127.0.0.1:" + gateway.actualPort();
  }

  private static int unusedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
