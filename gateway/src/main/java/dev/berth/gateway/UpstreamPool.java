package dev.berth.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstreams, their health, and round-robin choice among the healthy ones. Shared by every
 * serving event loop, so all state is atomic or volatile; probes run on the owning verticle's loop.
 */
final class UpstreamPool {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamPool.class);
  /** An on-demand probe (all upstreams down, a request waiting) runs at most this often. */
  private static final long ON_DEMAND_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final List<Upstream> upstreams;
  private final AtomicInteger cursor = new AtomicInteger();
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile long lastProbeStart = System.nanoTime() - ON_DEMAND_SPACING_NANOS;
  private Vertx vertx;
  private HttpClient probeClient;
  private long probeTimeoutMs;
  private long timerId = -1;

  UpstreamPool(List<String> baseUrls) {
    this.upstreams = baseUrls.stream().map(Upstream::new).toList();
  }

  List<Upstream> all() {
    return upstreams;
  }

  boolean anyHealthy() {
    for (Upstream u : upstreams) {
      if (u.healthy()) {
        return true;
      }
    }
    return false;
  }

  /** The next healthy upstream in round-robin order other than {@code exclude}, or null. */
  Upstream pick(Upstream exclude) {
    int n = upstreams.size();
    if (n == 0) {
      return null;
    }
    int start = Math.floorMod(cursor.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      Upstream u = upstreams.get((start + i) % n);
      if (u != exclude && u.healthy()) {
        return u;
      }
    }
    return null;
  }

  /** A connection to {@code upstream} was refused: stop sending it traffic until a probe says otherwise. */
  void connectionRefused(Upstream upstream) {
    if (upstream.markHealthy(false)) {
      LOG.warn("upstream {} refused a connection; marked unhealthy until its next probe", upstream);
    }
  }

  /** Probes every upstream once (completing when all have answered or timed out), then every interval. */
  Future<Void> start(Vertx vertx, int intervalMs) {
    this.vertx = vertx;
    // Probes get their own small client so they never queue behind long blob transfers.
    this.probeClient = vertx.createHttpClient(
        new HttpClientOptions().setConnectTimeout(Math.max(500, Math.min(intervalMs, 5000)))
            .setKeepAlive(true).setName("berth-gateway-probes"),
        new PoolOptions().setHttp1MaxSize(2));
    this.probeTimeoutMs = Math.max(500, Math.min(intervalMs, 5000));
    registerGauges();
    return probeAll().onComplete(ignored -> timerId = vertx.setPeriodic(intervalMs, id -> probeAll()));
  }

  /** berth_gateway_upstream_ready{upstream=...} 1|0 on /metrics, when this process has metrics on. */
  private void registerGauges() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry == null) {
      return;
    }
    for (Upstream u : upstreams) {
      Gauge.builder("berth.gateway.upstream.ready", u, up -> up.healthy() ? 1 : 0)
          .description("1 when the upstream's last readiness probe answered 200")
          .tag("upstream", u.origin())
          .register(registry);
    }
  }

  /** Called when a request found no healthy upstream: look again now rather than at the next tick. */
  void probeSoon() {
    if (vertx != null && System.nanoTime() - lastProbeStart >= ON_DEMAND_SPACING_NANOS) {
      probeAll();
    }
  }

  Future<Void> stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return probeClient == null ? Future.succeededFuture() : probeClient.close();
  }

  private Future<Void> probeAll() {
    if (!probing.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    lastProbeStart = System.nanoTime();
    List<Future<Boolean>> probes = upstreams.stream().map(this::probe).toList();
    return Future.join(probes).<Void>mapEmpty().onComplete(ignored -> probing.set(false)).recover(e -> Future.succeededFuture());
  }

  private Future<Boolean> probe(Upstream u) {
    RequestOptions ready = new RequestOptions().setMethod(HttpMethod.GET)
        .setHost(u.address().host()).setPort(u.port()).setSsl(u.ssl())
        .setURI("/ready").setIdleTimeout(probeTimeoutMs);
    return probeClient.request(ready)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp.statusCode() == 200))
        .recover(e -> {
          LOG.debug("probe of {} failed: {}", u, e.toString());
          return Future.succeededFuture(false);
        })
        .onSuccess(healthy -> {
          if (u.markHealthy(healthy)) {
            if (healthy) {
              LOG.info("upstream {} is ready", u);
            } else {
              LOG.warn("upstream {} is not ready", u);
            }
          }
        });
  }
}
