package dev.berth.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Load driver for the registry benchmark. Usage:
 * <pre>
 *   RegistryBench prepare WORK_DIR                  generate the shared workload files
 *   RegistryBench REGISTRIES WHAT WORK_DIR          measure
 * </pre>
 * REGISTRIES is one {@code HOST:PORT} or a comma list of {@code name=HOST:PORT}; WHAT is {@code all} or a
 * comma list of warm-up, push, pull, concurrent, image. With several registries every repetition of a step
 * runs against each of them in turn, so a burst of noise on the machine hits all of them alike.
 * Results go to stdout as {@code NAME METRIC median=.. best=.. runs=..} lines (registry.sh parses them);
 * progress goes to stderr.
 */
public final class RegistryBench {

  static final String LARGE_REPOSITORY = "bench/large";
  static final String SMALL_REPOSITORY = "bench/small";
  static final String WARM_UP_REPOSITORY = "bench/warm-up";
  static final String IMAGE_REPOSITORY = "bench/image";
  static final String IMAGE_TAG = "v1";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final int REPETITIONS = 3;

  private static final List<String> ALL_STEPS = List.of("warm-up", "push", "pull", "concurrent", "image");

  private final Map<String, RegistryClient> registries;
  private final Workload workload;

  private RegistryBench(Map<String, RegistryClient> registries, Workload workload) {
    this.registries = registries;
    this.workload = workload;
  }

  public static void main(String[] args) {
    if (args.length == 2 && args[0].equals("prepare")) {
      long started = System.nanoTime();
      Workload.prepare(Path.of(args[1]));
      log("workload generated in %s in %.1f s", args[1], seconds(started));
      return;
    }
    if (args.length != 3) {
      usage();
    }
    List<String> steps = args[1].equals("all") ? ALL_STEPS : Arrays.asList(args[1].split(","));
    if (!ALL_STEPS.containsAll(steps)) {
      System.err.println("unknown step in " + steps + "; known: " + ALL_STEPS);
      usage();
    }
    Vertx vertx = Vertx.vertx();
    Map<String, RegistryClient> registries = new LinkedHashMap<>();
    for (String entry : args[0].split(",")) {
      int equals = entry.indexOf('=');
      String address = entry.substring(equals + 1);
      // The pool must fit every concurrent push at once, or the pool (not the registry) would queue them.
      registries.put(equals < 0 ? address : entry.substring(0, equals),
          new RegistryClient(vertx, address, Workload.SMALL_COUNT));
    }
    int status = 0;
    try {
      new RegistryBench(registries, Workload.load(Path.of(args[2]))).run(steps);
    } catch (RuntimeException e) {
      System.err.println("benchmark failed: " + e.getMessage());
      e.printStackTrace();
      status = 1;
    } finally {
      join(Future.all(registries.values().stream().map(RegistryClient::close).toList()).eventually(vertx::close));
    }
    System.exit(status);
  }

  private static void usage() {
    System.err.println("usage: RegistryBench prepare WORK_DIR\n"
        + "       RegistryBench HOST:PORT|name=HOST:PORT,... all|warm-up,push,pull,concurrent,image WORK_DIR");
    System.exit(2);
  }

  private void run(List<String> steps) {
    for (String step : steps) {
      switch (step) {
        case "warm-up" -> registries.forEach(this::warmUp);
        case "push" -> measurePush();
        case "pull" -> measurePull();
        case "concurrent" -> measureConcurrentPushes();
        case "image" -> registries.forEach(this::pushImage);
        default -> throw new IllegalArgumentException(step);
      }
    }
  }

  /** Lets the JITs (the driver's, and Berth's when it is a target) compile the hot paths before timing. */
  private void warmUp(String name, RegistryClient client) {
    long started = System.nanoTime();
    for (int i = 0; i < REPETITIONS; i++) {
      join(client.pushBlob(WARM_UP_REPOSITORY, workload.warmUpLarge()));
      join(client.pullBlob(WARM_UP_REPOSITORY, workload.warmUpLarge().digest()));
      join(pushAll(client, WARM_UP_REPOSITORY, workload.warmUpSmall()));
    }
    log("%s: warm-up done in %.1f s", name, seconds(started));
  }

  private void measurePush() {
    repeat("push_mbps", (run, client) -> {
      BlobFile blob = workload.large().get(run);
      settlePageCache(List.of(blob));
      long started = System.nanoTime();
      join(client.pushBlob(LARGE_REPOSITORY, blob));
      return blob.size() / 1e6 / seconds(started);
    });
  }

  private void measurePull() {
    BlobFile blob = workload.large().get(0);
    registries.forEach((name, client) -> {
      if (!join(client.blobExists(LARGE_REPOSITORY, blob.digest()))) {
        log("%s: %s not in %s yet, pushing it first (untimed)", name, blob.digest(), LARGE_REPOSITORY);
        join(client.pushBlob(LARGE_REPOSITORY, blob));
      }
    });
    repeat("pull_mbps", (run, client) -> {
      long started = System.nanoTime();
      long received = join(client.pullBlob(LARGE_REPOSITORY, blob.digest()));
      double megabytesPerSecond = received / 1e6 / seconds(started);
      if (received != blob.size()) {
        throw new IllegalStateException("pulled " + received + " bytes, expected " + blob.size());
      }
      return megabytesPerSecond;
    });
  }

  private void measureConcurrentPushes() {
    repeat("concurrent_pushes_per_s", (run, client) -> {
      List<BlobFile> round = workload.smallRounds().get(run);
      settlePageCache(round);
      long started = System.nanoTime();
      join(pushAll(client, SMALL_REPOSITORY, round));
      return round.size() / seconds(started);
    });
  }

  /** A one-layer image whose tag the manifest GET load (wrk) then reads. */
  private void pushImage(String name, RegistryClient client) {
    BlobFile layer = workload.imageLayer();
    Buffer config = new JsonObject()
        .put("architecture", "amd64").put("os", "linux")
        .put("rootfs", new JsonObject().put("type", "layers").put("diff_ids", new JsonArray().add(layer.digest())))
        .toBuffer();
    String configDigest = digestOf(config);
    Buffer manifest = new JsonObject()
        .put("schemaVersion", 2)
        .put("mediaType", OCI_MANIFEST)
        .put("config", descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length()))
        .put("layers", new JsonArray().add(descriptor("application/vnd.oci.image.layer.v1.tar", layer.digest(),
            layer.size())))
        .toBuffer();
    join(client.pushBlob(IMAGE_REPOSITORY, layer)
        .compose(v -> client.pushBlob(IMAGE_REPOSITORY, config, configDigest))
        .compose(v -> client.putManifest(IMAGE_REPOSITORY, IMAGE_TAG, OCI_MANIFEST, manifest)));
    System.out.println(name + " manifest_path /v2/" + IMAGE_REPOSITORY + "/manifests/" + IMAGE_TAG);
  }

  private interface Measurement {
    double run(int repetition, RegistryClient client);
  }

  /** Repetition by repetition, each registry in turn; then one result line per registry. */
  private void repeat(String metric, Measurement measurement) {
    Map<String, List<Double>> runs = new LinkedHashMap<>();
    for (int repetition = 0; repetition < REPETITIONS; repetition++) {
      for (Map.Entry<String, RegistryClient> registry : registries.entrySet()) {
        runs.computeIfAbsent(registry.getKey(), k -> new ArrayList<>())
            .add(measurement.run(repetition, registry.getValue()));
      }
    }
    runs.forEach((name, values) -> report(name, metric, values));
  }

  private static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");

  /**
   * Before a timed push, the same machine state for every registry (bench/README.md, "Every timed push
   * starts from a settled page cache"): {@code sync}, then the page cache dropped when this process may
   * (root), then the blobs to push read back in so the driver reads them from memory.
   */
  private static void settlePageCache(List<BlobFile> blobs) {
    try {
      int status = new ProcessBuilder("sync").inheritIO().start().waitFor();
      if (status != 0) {
        throw new IllegalStateException("sync exited with " + status);
      }
      if (Files.isWritable(DROP_CACHES)) {
        Files.writeString(DROP_CACHES, "3");
      }
      byte[] chunk = new byte[1 << 20];
      for (BlobFile blob : blobs) {
        try (InputStream in = Files.newInputStream(blob.path())) {
          while (in.read(chunk) >= 0) {
            // only to bring the file into the page cache
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Future<Void> pushAll(RegistryClient client, String repository, List<BlobFile> blobs) {
    return Future.all(blobs.stream().map(blob -> client.pushBlob(repository, blob)).toList()).mapEmpty();
  }

  private static JsonObject descriptor(String mediaType, String digest, long size) {
    return new JsonObject().put("mediaType", mediaType).put("digest", digest).put("size", size);
  }

  private static String digestOf(Buffer content) {
    return "sha256:" + HexFormat.of().formatHex(Workload.sha256().digest(content.getBytes()));
  }

  private static void report(String name, String metric, List<Double> runs) {
    List<Double> sorted = runs.stream().sorted().toList();
    double median = sorted.get(sorted.size() / 2);
    double best = sorted.get(sorted.size() - 1);
    String all = runs.stream().map(RegistryBench::format).collect(Collectors.joining(","));
    System.out.println(name + " " + metric + " median=" + format(median) + " best=" + format(best) + " runs=" + all);
    log("%s %s: median %s, best %s (runs %s)", name, metric, format(median), format(best), all);
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /** The driver is a plain sequential program: its main thread waits while event loops do the I/O. */
  private static <T> T join(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }

  private static void log(String format, Object... args) {
    System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
  }
}
