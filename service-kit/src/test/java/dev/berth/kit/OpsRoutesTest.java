package dev.berth.kit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpsRoutesTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private Vertx vertx;

  @AfterEach
  void closeVertx() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private int serve(Map<String, Supplier<Future<?>>> checks) {
    Router router = Router.router(vertx);
    router.route().handler(RequestLog.create("test"));
    OpsRoutes.mount(router, checks);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    return server.actualPort();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthIsAlwaysUp() throws Exception {
    vertx = Vertx.vertx();
    int port = serve(Map.of("never-called", () -> Future.failedFuture("down")));

    HttpResponse<String> response = get(port, "/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body())).isEqualTo(new JsonObject().put("status", "UP"));
  }

  @Test
  void readyIs200WhenEveryCheckPasses() throws Exception {
    vertx = Vertx.vertx();
    Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>();
    checks.put("database", () -> Future.succeededFuture(1));
    checks.put("storage", () -> {
      Promise<Void> later = Promise.promise();
      vertx.setTimer(20, id -> later.complete());
      return later.future();
    });
    int port = serve(checks);

    HttpResponse<String> response = get(port, "/ready");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body())).isEqualTo(new JsonObject()
        .put("status", "UP")
        .put("checks", new JsonObject().put("database", "UP").put("storage", "UP")));
  }

  @Test
  void readyIs503WithTheFailingChecksMessage() throws Exception {
    vertx = Vertx.vertx();
    Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>();
    checks.put("database", () -> Future.succeededFuture());
    checks.put("kafka", () -> Future.failedFuture("broker 127.0.0.1:9092 unreachable"));
    checks.put("storage", () -> {
      throw new IllegalStateException("disk full");
    });
    int port = serve(checks);

    HttpResponse<String> response = get(port, "/ready");

    assertThat(response.statusCode()).isEqualTo(503);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("status")).isEqualTo("DOWN");
    assertThat(body.getJsonObject("checks")).isEqualTo(new JsonObject()
        .put("database", "UP")
        .put("kafka", "broker 127.0.0.1:9092 unreachable")
        .put("storage", "disk full"));
  }

  @Test
  void metricsServesPrometheusTextIncludingHttpServerMetrics() throws Exception {
    vertx = Vertx.vertx(OpsRoutes.vertxOptionsWithMetrics());
    int port = serve(Map.of());
    assertThat(get(port, "/health").statusCode()).isEqualTo(200);

    HttpResponse<String> response = get(port, "/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/plain"));
    assertThat(response.body())
        .contains("# TYPE")
        .contains("vertx_http_server_requests_total")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void metricsIs404WhenVertxRunsWithoutMetrics() throws Exception {
    vertx = Vertx.vertx();
    int port = serve(Map.of());

    HttpResponse<String> response = get(port, "/metrics");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code"))
        .isEqualTo("metrics_disabled");
  }
}
