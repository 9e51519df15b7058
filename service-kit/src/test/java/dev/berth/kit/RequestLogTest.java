package dev.berth.kit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RequestLogTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
  private Vertx vertx;
  private int port;

  @BeforeEach
  void start() {
    accessLog.start();
    ((Logger) LoggerFactory.getLogger("access")).addAppender(accessLog);
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route().handler(RequestLog.create("kit-test"));
    router.get("/hello").handler(ctx -> ctx.response().end("hello " + RequestLog.requestId(ctx)));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    port = server.actualPort();
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger("access")).detachAppender(accessLog);
    vertx.close().await();
  }

  private HttpResponse<String> get(int port, String path, String requestId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (requestId != null) {
      request.header("X-Request-Id", requestId);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void echoesTheCallersRequestIdAndLogsTheRequest() throws Exception {
    HttpResponse<String> response = get(port, "/hello?token=secret", "abc-123");

    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("abc-123");
    assertThat(response.body()).isEqualTo("hello abc-123");
    ILoggingEvent line = awaitAccessLine();
    assertThat(line.getFormattedMessage())
        .startsWith("GET /hello 200 13B ")
        .contains("id=abc-123")
        .contains("remote=127.0.0.1")
        .doesNotContain("secret");
    assertThat(keyValues(line)).contains("service=kit-test", "status=200", "bytes=13", "requestId=abc-123");
  }

  @Test
  void generatesAnIdWhenMissingOrUnsafe() throws Exception {
    String generated = get(port, "/hello", null).headers().firstValue("X-Request-Id").orElseThrow();
    String replaced = get(port, "/hello", "a b\"c").headers().firstValue("X-Request-Id").orElseThrow();

    assertThat(generated).matches("[0-9a-f-]{36}");
    assertThat(replaced).matches("[0-9a-f-]{36}").isNotEqualTo(generated);
  }

  @Test
  void logsNotFoundResponsesToo() throws Exception {
    assertThat(get(port, "/missing", "r-404").statusCode()).isEqualTo(404);

    assertThat(awaitAccessLine().getFormattedMessage()).startsWith("GET /missing 404 ");
  }

  @Test
  void wrapsARawHttpServerHandler() throws Exception {
    HttpServer raw = vertx.createHttpServer()
        .requestHandler(RequestLog.wrap("raw", request -> request.response().setStatusCode(201).end("ok")))
        .listen(0, "127.0.0.1").await();

    HttpResponse<String> response = get(raw.actualPort(), "/thing", "raw-1");

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("raw-1");
    assertThat(awaitAccessLine().getFormattedMessage()).startsWith("GET /thing 201 2B ").contains("id=raw-1");
  }

  // The line is written when the response ends on the event loop, which may be just after the
  // client has read the response.
  private ILoggingEvent awaitAccessLine() throws InterruptedException {
    for (int i = 0; i < 500 && accessLog.list.isEmpty(); i++) {
      Thread.sleep(10);
    }
    assertThat(accessLog.list).hasSize(1);
    return accessLog.list.get(0);
  }

  private static List<String> keyValues(ILoggingEvent event) {
    List<String> out = new ArrayList<>();
    event.getKeyValuePairs().forEach(pair -> out.add(pair.key + "=" + pair.value));
    return out;
  }
}
