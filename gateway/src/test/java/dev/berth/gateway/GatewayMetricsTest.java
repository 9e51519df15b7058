package dev.berth.gateway;

import static dev.berth.gateway.GatewayProxyTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.kit.OpsRoutes;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

  @Test
  void exposesUpstreamReadinessAndHttpMetrics() throws Exception {
    Vertx vertx = Vertx.vertx(OpsRoutes.vertxOptionsWithMetrics());
    try {
      FakeRegistry upstream = new FakeRegistry(vertx, "a").start();
      GatewayVerticle gateway = new GatewayVerticle(new GatewayConfig("127.0.0.1", 0, List.of(upstream.url()), null, 100, 1));
      await(vertx.deployVerticle(gateway));
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + gateway.actualPort();
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/v2/")).build(), BodyHandlers.ofString())
          .statusCode()).isEqualTo(200);

      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("berth_gateway_upstream_ready{upstream=\"" + upstream.url() + "\"} 1.0")
          .contains("vertx_http_server_requests_total");
    } finally {
      await(vertx.close());
    }
  }
}
