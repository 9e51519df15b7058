package dev.berth.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Push-event latency, Berth vs distribution: a steady stream of small tagged image pushes, and for each one
 * the time from its manifest PUT answering 201 to its event being consumed from Kafka (Berth) and arriving
 * at a webhook (both). Then Berth's relay throughput under 16 concurrent pushers. All times come from
 * {@link System#nanoTime()} in this one JVM, so the clocks agree.
 *
 * <pre>EventsBench BERTH_HOST:PORT KAFKA_BOOTSTRAP DISTRIBUTION_HOST:PORT RECEIVER_PORT</pre>
 */
public final class EventsBench {

  static final int PUSHES_PER_SECOND = 50;
  static final int STEADY_SECONDS = 20;
  static final int STRAGGLER_WAIT_SECONDS = 30;
  static final int WARM_UP_PUSHES = 50;
  static final int RELAY_PUSHES = 1000;
  static final int RELAY_CLIENTS = 16;
  static final int REPOSITORIES = 4;
  private static final long NANOS_PER_MS = 1_000_000L;

  private final Vertx vertx;
  private final ImagePusher berth;
  private final ImagePusher distribution;
  private final KafkaEventWatcher kafka;
  private final WebhookReceiver receiver;
  private final String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

  private EventsBench(Vertx vertx, String berthAddress, String bootstrap, String distributionAddress) {
    this.vertx = vertx;
    this.berth = new ImagePusher(new RegistryClient(vertx, berthAddress, RELAY_CLIENTS * 2));
    this.distribution = new ImagePusher(new RegistryClient(vertx, distributionAddress, RELAY_CLIENTS * 2));
    this.kafka = new KafkaEventWatcher(bootstrap);
    this.receiver = new WebhookReceiver(vertx);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: EventsBench BERTH_HOST:PORT KAFKA_BOOTSTRAP DISTRIBUTION_HOST:PORT RECEIVER_PORT");
      System.exit(2);
    }
    Vertx vertx = Vertx.vertx();
    EventsBench bench = new EventsBench(vertx, args[0], args[1], args[2]);
    try {
      bench.measure(args[0], Integer.parseInt(args[3]));
    } finally {
      bench.kafka.close();
      join(vertx.close());
    }
  }

  private void measure(String berthAddress, int receiverPort) throws InterruptedException {
    join(receiver.listen(receiverPort));
    kafka.start();
    subscribeBerthWebhook(berthAddress, "http://127.0.0.1:" + receiverPort + "/berth");

    say("warm-up: " + WARM_UP_PUSHES + " untimed pushes to each registry, waiting for their events");
    warmUp("berth", berth, receiver.berth, kafka.arrivals);
    warmUp("distribution", distribution, receiver.distribution, null);

    say("berth: " + PUSHES_PER_SECOND + " pushes/s for " + STEADY_SECONDS + " s");
    Map<String, PutTimes> berthPuts = steady(berth, "s-b-");
    waitFor(berthPuts.keySet(), receiver.berth, kafka.arrivals);
    say("distribution: " + PUSHES_PER_SECOND + " pushes/s for " + STEADY_SECONDS + " s");
    Map<String, PutTimes> distributionPuts = steady(distribution, "s-d-");
    waitFor(distributionPuts.keySet(), receiver.distribution, null);

    int planned = PUSHES_PER_SECOND * STEADY_SECONDS;
    System.out.println();
    // How long the manifest PUT itself took: when it is far off its usual few ms, the machine was busy.
    Latency.ofPut(berthPuts).print("berth", "manifest_put_ms", planned);
    Latency.ofPut(distributionPuts).print("distribution", "manifest_put_ms", planned);
    Latency.of(berthPuts, kafka.arrivals, false).print("berth", "push_to_kafka_ms", planned);
    compare(Latency.of(berthPuts, receiver.berth, false), Latency.of(distributionPuts, receiver.distribution, false),
        "push_to_webhook_ms", planned);
    // A registry may send its event before its 201 reaches the client (distribution does), which makes the
    // figure above zero or negative and a ratio of it meaningless; from the moment the PUT was sent it is not.
    compare(Latency.of(berthPuts, receiver.berth, true), Latency.of(distributionPuts, receiver.distribution, true),
        "put_sent_to_webhook_ms", planned);

    relay();
  }

  private static void compare(Latency berthLatency, Latency distributionLatency, String metric, int planned) {
    berthLatency.print("berth", metric, planned);
    distributionLatency.print("distribution", metric, planned);
    System.out.printf("ratio %s berth/distribution p50=%s p99=%s (lower is better)%n", metric,
        ratio(berthLatency.p50(), distributionLatency.p50()), ratio(berthLatency.p99(), distributionLatency.p99()));
  }

  /** One subscription for image pushes in every repository, pointing at our receiver. */
  private void subscribeBerthWebhook(String berthAddress, String targetUrl) {
    int colon = berthAddress.lastIndexOf(':');
    WebClient web = WebClient.create(vertx);
    JsonObject body = new JsonObject().put("targetUrl", targetUrl)
        .put("eventTypes", new JsonArray().add(KafkaEventWatcher.IMAGE_PUSHED)).put("repositoryGlob", "**");
    var response = join(web.request(HttpMethod.POST, Integer.parseInt(berthAddress.substring(colon + 1)),
        berthAddress.substring(0, colon), "/api/v1/webhooks").sendJsonObject(body));
    web.close();
    if (response.statusCode() != 201) {
      throw new IllegalStateException("webhook subscription: expected 201 but got " + response.statusCode()
          + " " + response.bodyAsString());
    }
  }

  private void warmUp(String name, ImagePusher pusher, Arrivals webhook, Arrivals kafkaArrivals)
      throws InterruptedException {
    for (int r = 0; r < REPOSITORIES; r++) {
      join(pusher.pushLayer(repository(r)));
    }
    List<Future<PutTimes>> pushes = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < WARM_UP_PUSHES; i++) {
      String tag = run + "-w-" + i;
      tags.add(tag);
      pushes.add(pusher.push(repository(i), tag));
    }
    join(Future.all(pushes));
    boolean all = waitFor(tags, webhook, kafkaArrivals);
    say(name + " warm-up: " + webhook.countOf(tags) + "/" + tags.size() + " webhooks"
        + (kafkaArrivals == null ? "" : ", " + kafkaArrivals.countOf(tags) + " Kafka records")
        + (all ? "" : " (not all arrived; figures below may include a cold start)"));
  }

  /**
   * Starts push i at start + i/rate, whether or not earlier pushes have answered (an open-loop load, so a slow
   * registry does not slow the offered rate). Returns tag -> when its manifest PUT was sent and answered 201.
   */
  private Map<String, PutTimes> steady(ImagePusher pusher, String prefix) {
    int total = PUSHES_PER_SECOND * STEADY_SECONDS;
    long intervalNanos = 1_000_000_000L / PUSHES_PER_SECOND;
    Map<String, PutTimes> puts = new ConcurrentHashMap<>();
    AtomicInteger launched = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<Future<PutTimes>> pushes = new ArrayList<>();
    Promise<Void> allLaunched = Promise.promise();
    long start = System.nanoTime();
    vertx.setPeriodic(5, timer -> {
      long due = (System.nanoTime() - start) / intervalNanos + 1;
      while (launched.get() < total && launched.get() < due) {
        int i = launched.getAndIncrement();
        String tag = run + "-" + prefix + i;
        pushes.add(pusher.push(repository(i), tag)
            .onSuccess(put -> puts.put(tag, put))
            .onFailure(e -> {
              if (failed.incrementAndGet() <= 3) {
                System.err.println("push " + tag + " failed: " + e.getMessage());
              }
            }));
      }
      if (launched.get() == total) {
        vertx.cancelTimer(timer);
        allLaunched.complete();
      }
    });
    join(allLaunched.future().compose(v -> Future.join(pushes)).otherwiseEmpty());
    double seconds = (System.nanoTime() - start) / 1e9;
    say(String.format("  %d pushes answered 201 in %.1f s, %d failed", puts.size(), seconds, failed.get()));
    return puts;
  }

  /**
   * Berth only: 1000 pushes from 16 closed-loop clients, as fast as they go. pushes/s = 1000 / (first request
   * to last 201); events/s = 1000 / (first request to the 1000th of these events consumed from Kafka).
   */
  private void relay() throws InterruptedException {
    say("berth relay: " + RELAY_PUSHES + " pushes from " + RELAY_CLIENTS + " concurrent clients");
    AtomicInteger next = new AtomicInteger();
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < RELAY_PUSHES; i++) {
      tags.add(run + "-t-" + i);
    }
    long start = System.nanoTime();
    List<Future<Void>> clients = new ArrayList<>();
    for (int c = 0; c < RELAY_CLIENTS; c++) {
      clients.add(pushInTurn(next, tags));
    }
    join(Future.join(clients).otherwiseEmpty());
    long lastPut = System.nanoTime();
    waitFor(tags, kafka.arrivals, null);
    int consumed = kafka.arrivals.countOf(tags);
    long lastEvent = tags.stream().map(kafka.arrivals::get).filter(t -> t != null).mapToLong(Long::longValue)
        .max().orElse(start);
    double pushesPerSecond = RELAY_PUSHES / ((lastPut - start) / 1e9);
    String eventsPerSecond = consumed == RELAY_PUSHES
        ? String.format("%.1f", RELAY_PUSHES / ((lastEvent - start) / 1e9)) : "n/a";
    System.out.printf("berth relay pushes_per_s=%.1f events_per_s=%s consumed=%d/%d%n",
        pushesPerSecond, eventsPerSecond, consumed, RELAY_PUSHES);
  }

  /** One closed-loop client: takes the next tag, pushes it, repeats until the tags run out. */
  private Future<Void> pushInTurn(AtomicInteger next, List<String> tags) {
    int i = next.getAndIncrement();
    if (i >= tags.size()) {
      return Future.succeededFuture();
    }
    return berth.push(repository(i), tags.get(i))
        .recover(e -> {
          System.err.println("relay push " + tags.get(i) + " failed: " + e.getMessage());
          return Future.succeededFuture();
        })
        .compose(v -> pushInTurn(next, tags));
  }

  /** Waits until every tag arrived on the channels given (the second may be null), up to the straggler wait. */
  private static boolean waitFor(Iterable<String> tags, Arrivals first, Arrivals second)
      throws InterruptedException {
    int expected = 0;
    for (String ignored : tags) {
      expected++;
    }
    long deadline = System.nanoTime() + STRAGGLER_WAIT_SECONDS * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (first.countOf(tags) == expected && (second == null || second.countOf(tags) == expected)) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private String repository(int i) {
    return "bench/events-" + (i % REPOSITORIES);
  }

  private static String ratio(double berth, double distribution) {
    if (Double.isNaN(berth) || Double.isNaN(distribution) || distribution <= 0) {
      return "n/a";
    }
    return String.format("%.2fx", berth / distribution);
  }

  static void say(String line) {
    System.err.println("==> " + line);
  }

  static <T> T join(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }

  /** Latencies (ms) of the pushes whose event arrived; percentiles by nearest rank. */
  record Latency(double[] sortedMs, int pushed) {

    /** From the manifest PUT's 201, or (fromSent) from the moment it was sent. */
    static Latency of(Map<String, PutTimes> puts, Arrivals arrivals, boolean fromSent) {
      List<Double> ms = new ArrayList<>();
      puts.forEach((tag, put) -> {
        Long arrived = arrivals.get(tag);
        if (arrived != null) {
          ms.add((arrived - (fromSent ? put.sent() : put.answered())) / (double) NANOS_PER_MS);
        }
      });
      return new Latency(ms.stream().mapToDouble(Double::doubleValue).sorted().toArray(), puts.size());
    }

    static Latency ofPut(Map<String, PutTimes> puts) {
      double[] ms = puts.values().stream().mapToDouble(put -> (put.answered() - put.sent()) / (double) NANOS_PER_MS)
          .sorted().toArray();
      return new Latency(ms, puts.size());
    }

    double p50() {
      return percentile(50);
    }

    double p99() {
      return percentile(99);
    }

    double percentile(int p) {
      if (sortedMs.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(p / 100.0 * sortedMs.length);
      return sortedMs[Math.max(0, rank - 1)];
    }

    void print(String registry, String metric, int planned) {
      // For manifest_put_ms every answered push counts; for the event figures, those whose event arrived.
      System.out.printf("%s %s p50=%.1f p99=%.1f %s=%d/%d (of %d planned)%n", registry, metric, p50(), p99(),
          metric.startsWith("manifest_put") ? "answered" : "delivered", sortedMs.length, pushed, planned);
    }
  }

  /** When a manifest PUT was sent and when its 201 arrived, in {@link System#nanoTime()}. */
  record PutTimes(long sent, long answered) {
  }

  /** Small distinct images: one shared empty-tar layer per repository, a config unique per tag, a manifest. */
  static final class ImagePusher {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    // Two zero 512-byte blocks: a valid, empty tar archive.
    private static final Buffer LAYER = Buffer.buffer(new byte[1024]);
    private static final String LAYER_DIGEST = digestOf(LAYER);
    private final RegistryClient client;

    ImagePusher(RegistryClient client) {
      this.client = client;
    }

    Future<Void> pushLayer(String repository) {
      return client.pushBlob(repository, LAYER, LAYER_DIGEST);
    }

    /** Pushes the config and the manifest under the tag; the result says when the manifest PUT went and got 201. */
    Future<PutTimes> push(String repository, String tag) {
      Buffer config = new JsonObject().put("architecture", "amd64").put("os", "linux")
          .put("config", new JsonObject().put("Labels", new JsonObject().put("dev.berth.bench.tag", tag)))
          .put("rootfs", new JsonObject().put("type", "layers").put("diff_ids", new JsonArray().add(LAYER_DIGEST)))
          .toBuffer();
      String configDigest = digestOf(config);
      Buffer manifest = new JsonObject().put("schemaVersion", 2).put("mediaType", OCI_MANIFEST)
          .put("config", descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length()))
          .put("layers", new JsonArray().add(descriptor("application/vnd.oci.image.layer.v1.tar", LAYER_DIGEST,
              LAYER.length())))
          .toBuffer();
      return client.pushBlob(repository, config, configDigest)
          .compose(v -> {
            long sent = System.nanoTime();
            return client.putManifest(repository, tag, OCI_MANIFEST, manifest)
                .map(answered -> new PutTimes(sent, System.nanoTime()));
          });
    }

    private static JsonObject descriptor(String mediaType, String digest, long size) {
      return new JsonObject().put("mediaType", mediaType).put("digest", digest).put("size", size);
    }

    private static String digestOf(Buffer content) {
      return "sha256:" + HexFormat.of().formatHex(Workload.sha256().digest(content.getBytes()));
    }
  }
}
