package dev.berth.kit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The operational endpoints every service exposes: liveness, readiness and Prometheus metrics. */
public final class OpsRoutes {

  /** A check that has not answered by then counts as down, so /ready never hangs. */
  public static final long CHECK_TIMEOUT_SECONDS = 5;

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private OpsRoutes() {}

  /**
   * Adds GET /health (200 {"status":"UP"}), GET /ready (runs every check; 200 {"status":"UP",
   * "checks":{name:"UP"}}, or 503 {"status":"DOWN","checks":{name:"UP" or the failure message}})
   * and GET /metrics (Prometheus text from the registry set up by {@link #vertxOptionsWithMetrics}).
   */
  public static void mount(Router router, Map<String, Supplier<Future<?>>> readinessChecks) {
    Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>(readinessChecks);
    router.get("/health").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(ctx -> ready(ctx, checks));
    router.get("/metrics").handler(OpsRoutes::metrics);
  }

  /**
   * VertxOptions with Micrometer metrics enabled and backed by a Prometheus registry (also JVM
   * metrics). The registry is Vert.x's default one, which /metrics serves.
   */
  public static VertxOptions vertxOptionsWithMetrics() {
    // epoll when the native library loads (Linux); Vert.x falls back to NIO by itself otherwise.
    return new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
  }

  private static void ready(RoutingContext ctx, Map<String, Supplier<Future<?>>> checks) {
    List<String> names = new ArrayList<>(checks.keySet());
    List<Future<?>> running = new ArrayList<>();
    for (String name : names) {
      running.add(run(ctx.vertx(), checks.get(name)));
    }
    Future.join(running).onComplete(ignored -> {
      JsonObject results = new JsonObject();
      boolean allUp = true;
      for (int i = 0; i < names.size(); i++) {
        Future<?> check = running.get(i);
        if (check.succeeded()) {
          results.put(names.get(i), "UP");
        } else {
          allUp = false;
          results.put(names.get(i), describe(check.cause()));
        }
      }
      json(ctx, allUp ? 200 : 503,
          new JsonObject().put("status", allUp ? "UP" : "DOWN").put("checks", results));
    });
  }

  private static Future<?> run(Vertx vertx, Supplier<Future<?>> check) {
    Future<?> result;
    try {
      result = check.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (result == null) {
      return Future.failedFuture("check returned no result");
    }
    Promise<Object> bounded = Promise.promise();
    long timer = vertx.setTimer(TimeUnit.SECONDS.toMillis(CHECK_TIMEOUT_SECONDS), id -> bounded.tryFail(
        "no answer within " + CHECK_TIMEOUT_SECONDS + " s"));
    result.onComplete(done -> {
      vertx.cancelTimer(timer);
      if (done.succeeded()) {
        bounded.tryComplete(done.result());
      } else {
        bounded.tryFail(done.cause());
      }
    });
    return bounded.future();
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }

  private static void metrics(RoutingContext ctx) {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (!(registry instanceof PrometheusMeterRegistry prometheus)) {
      ErrorBody.send(ctx.response(), 404, "metrics_disabled",
          "this process was started without Prometheus metrics");
      return;
    }
    // Scraping walks every meter; keep that work off the event loop.
    ctx.vertx().executeBlocking(prometheus::scrape, false).onComplete(scraped -> {
      if (scraped.succeeded()) {
        ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(scraped.result());
      } else {
        ctx.fail(scraped.cause());
      }
    });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
