package dev.berth.registry.gc;

import static dev.berth.registry.gc.GcRegistry.Blob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collection in a loop, with no grace period at all, while 50 pushes of images sharing layers run in
 * parallel over HTTP. With no grace a push may find a blob it uploaded collected before its manifest
 * arrives; the registry must then refuse the manifest (MANIFEST_BLOB_UNKNOWN) and the pusher starts
 * over, as a client would. Afterwards every pushed image pulls whole and verified, nothing the
 * metadata names lacks its bytes, and the unique blobs of images deleted along the way are gone.
 */
@ExtendWith(PostgresExtension.class)
class GcStressTest {

    private static final int IMAGES = 50;
    private static final int SHARED_LAYERS = 8;
    private static final int REPOSITORIES = 5;

    private record Image(String repository, String tag, Blob config, List<Blob> layers, boolean deleted) {
        Blob unique() {
            return layers.get(layers.size() - 1);
        }
    }

    @Test
    void pushesRacingACollectionLoopAllPullWholeAndDeletedImagesLeaveNothing(PostgresDatabase db, @TempDir Path storage)
            throws Exception {
        Vertx vertx = Vertx.vertx();
        try (GcRegistry registry = GcRegistry.start(vertx, db, storage, Map.of())) {
            Random random = new Random(42);
            List<Blob> shared = new ArrayList<>();
            for (int i = 0; i < SHARED_LAYERS; i++) {
                shared.add(randomBlob(random, 64 * 1024));
            }
            List<Image> images = new ArrayList<>();
            for (int i = 0; i < IMAGES; i++) {
                Blob config = Blob.of("{\"architecture\":\"amd64\",\"os\":\"linux\",\"image\":" + i + "}");
                images.add(new Image("stress/r" + (i % REPOSITORIES), "t" + i, config,
                        List.of(shared.get(i % SHARED_LAYERS), shared.get((i + 3) % SHARED_LAYERS),
                                randomBlob(random, 16 * 1024 + i)),
                        i % 10 == 0));
            }

            GarbageCollector collector = registry.collector(new GcSettings(null, true, Duration.ZERO, Duration.ofHours(24)));
            AtomicBoolean pushing = new AtomicBoolean(true);
            AtomicInteger runs = new AtomicInteger();
            AtomicInteger collected = new AtomicInteger();
            Thread loop = new Thread(() -> {
                while (pushing.get()) {
                    GcReport r = (runs.get() % 3 == 2 ? collector.estimate() : collector.collect())
                            .await();
                    collected.addAndGet((int) r.blobs());
                    runs.incrementAndGet();
                    pause(10);
                }
            });
            loop.setUncaughtExceptionHandler((t, e) -> e.printStackTrace());
            loop.start();

            AtomicInteger retries = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(IMAGES);
            List<Future<?>> pushes = new ArrayList<>();
            for (Image image : images) {
                pushes.add(pool.submit(() -> {
                    push(registry, image, retries);
                    return null;
                }));
            }
            for (Future<?> push : pushes) {
                push.get(10, TimeUnit.MINUTES);
            }
            pool.shutdown();
            for (Image image : images) {
                if (image.deleted()) {
                    byte[] manifest = GcRegistry.imageManifest(image.config(), image.layers(), null);
                    assertThat(registry.send("DELETE", "/v2/" + image.repository() + "/manifests/" + Digest.sha256(manifest),
                            null, null).statusCode()).isEqualTo(202);
                }
            }
            pushing.set(false);
            loop.join(TimeUnit.MINUTES.toMillis(5));
            assertThat(loop.isAlive()).isFalse();
            assertThat(runs.get()).as("collections ran alongside the pushes").isPositive();
            GcReport last = collector.collect().await(2, TimeUnit.MINUTES);
            System.out.printf("GC stress: %d collections during 50 pushes, %d blobs collected, %d push retries, "
                    + "final run %s%n", runs.get(), collected.get(), retries.get(), last);

            for (Image image : images) {
                byte[] manifest = GcRegistry.imageManifest(image.config(), image.layers(), null);
                if (image.deleted()) {
                    assertThat(registry.getManifest(image.repository(), image.tag())).isEqualTo(404);
                    for (Blob gone : List.of(image.config(), image.unique())) {
                        assertThat(registry.storedBytes(gone.digest())).as("bytes of a deleted image's blob").isFalse();
                        assertThat(registry.headBlob(image.repository(), gone.digest())).isEqualTo(404);
                    }
                    continue;
                }
                HttpResponse<byte[]> got = registry.send("GET", "/v2/" + image.repository() + "/manifests/" + image.tag(),
                        null, null);
                assertThat(got.statusCode()).isEqualTo(200);
                assertThat(got.body()).isEqualTo(manifest);
                registry.pullBlob(image.repository(), image.config().digest());
                for (Blob layer : image.layers()) {
                    registry.pullBlob(image.repository(), layer.digest());
                }
            }
            // Nothing the metadata knows is without its bytes, and nothing is kept that nothing uses.
            for (var row : registry.pool.query("select digest from blobs").execute().await(30, TimeUnit.SECONDS)) {
                assertThat(registry.storedBytes(Digest.parse(row.getString(0)))).as("bytes of %s", row.getString(0)).isTrue();
            }
            long survivors = images.stream().filter(i -> !i.deleted()).count();
            assertThat(registry.count("select count(*) from blobs")).isEqualTo(SHARED_LAYERS + 2 * survivors);
            assertThat(registry.count("""
                    select count(*) from manifest_references r where r.kind = 'blob' and not exists
                    (select 1 from repository_blobs l where l.repository = r.repository and l.digest = r.digest)""")).isZero();
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** Pushes like a client: skip blobs the repository has, upload the rest, put the manifest; start over if refused. */
    private static void push(GcRegistry registry, Image image, AtomicInteger retries) throws Exception {
        byte[] manifest = GcRegistry.imageManifest(image.config(), image.layers(), null);
        for (int attempt = 0; attempt < 200; attempt++) {
            List<Blob> blobs = new ArrayList<>(image.layers());
            blobs.add(image.config());
            for (Blob blob : blobs) {
                if (registry.headBlob(image.repository(), blob.digest()) != 200) {
                    uploadChunked(registry, image.repository(), blob);
                }
            }
            HttpResponse<byte[]> put = registry.putManifest(image.repository(), image.tag(), MediaTypes.OCI_MANIFEST, manifest);
            if (put.statusCode() == 201) {
                return;
            }
            assertThat(put.statusCode()).as("manifest PUT: %s", new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(400);
            assertThat(new String(put.body(), StandardCharsets.UTF_8)).contains("MANIFEST_BLOB_UNKNOWN");
            retries.incrementAndGet();
        }
        throw new AssertionError("push of " + image.tag() + " never got through");
    }

    /** POST, one PATCH with the first half, PUT with the rest: a session across three requests. */
    private static void uploadChunked(GcRegistry registry, String repository, Blob blob) throws Exception {
        HttpResponse<byte[]> post = registry.send("POST", "/v2/" + repository + "/blobs/uploads/", null, null);
        assertThat(post.statusCode()).isEqualTo(202);
        String location = post.headers().firstValue("Location").orElseThrow();
        byte[] bytes = blob.bytes();
        int half = bytes.length / 2;
        assertThat(registry.send("PATCH", location, "application/octet-stream", java.util.Arrays.copyOf(bytes, half))
                .statusCode()).isEqualTo(202);
        assertThat(registry.send("PUT", location + "?digest=" + blob.digest(), "application/octet-stream",
                java.util.Arrays.copyOfRange(bytes, half, bytes.length)).statusCode()).isEqualTo(201);
    }

    private static Blob randomBlob(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return new Blob(Digest.sha256(bytes), bytes);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
