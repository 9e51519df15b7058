package dev.berth.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.agent.testing.HandMadeLayout;
import dev.berth.agent.testing.Tars;
import dev.berth.infra.TestImages;
import dev.berth.infra.DistributionServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store against a real registry (CNCF distribution), with images built by umoci and pushed by skopeo. */
class ImageStoreTest {

    @TempDir
    static Path shared;
    static DistributionServer registry;
    static String base;
    static String app;

    @TempDir
    Path state;

    @BeforeAll
    static void pushImages() throws Exception {
        registry = DistributionServer.start(Files.createDirectories(shared.resolve("registry")));
        Path layout = shared.resolve("layout");
        Path rootfs = TestImages.busyboxRootfs(shared.resolve("rootfs"), Map.of("etc/motd", "base\n"));
        TestImages.umociImage(layout, "base", rootfs, "--config.cmd", "/bin/sh");
        // "app" = base's layer + one more: the two images share their first layer.
        TestImages.configure(layout, "base", "--tag", "app", "--config.cmd", "/bin/true");
        Path extra = Files.createDirectories(shared.resolve("extra"));
        Files.writeString(extra.resolve("app.txt"), "app\n");
        TestImages.addLayer(layout, "app", extra, "/srv");
        base = registry.address() + "/store/base:1";
        app = registry.address() + "/store/app:1";
        TestImages.push(layout, "base", base);
        TestImages.push(layout, "app", app);
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    ImageStore open(Set<String> inUse) throws Exception {
        return ImageStore.open(state, new ImageStore.Options(Set.of(), ImageStore.Options.DEFAULT.layerLimits(),
                () -> inUse));
    }

    @Test
    void aPulledImageIsUnpackedListedAndSurvivesARestart() throws Exception {
        ImageStore store = open(Set.of());
        List<PullEvent> events = new CopyOnWriteArrayList<>();

        StoredImage image = store.pull(base, null, events::add);

        assertThat(image.references()).containsExactly(base);
        assertThat(image.layers()).hasSize(1);
        Path rootfs = store.rootfs(image);
        assertThat(rootfs.resolve("etc/motd")).hasContent("base");
        assertThat(Files.isSymbolicLink(rootfs.resolve("bin/sh"))).isTrue();
        assertThat(events).extracting(PullEvent::kind).contains(PullEvent.Kind.RESOLVED, PullEvent.Kind.DOWNLOADING,
                PullEvent.Kind.VERIFIED, PullEvent.Kind.UNPACKED);
        PullEvent lastDownload = events.stream().filter(e -> e.kind() == PullEvent.Kind.DOWNLOADING)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(lastDownload.bytesDone()).isEqualTo(lastDownload.bytesTotal()).isEqualTo(image.layers().get(0).size());
        assertThat(new String(store.config(image))).contains("\"/bin/sh\"");

        assertThatThrownBy(() -> open(Set.of())).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("open already");
        store.close();
        ImageStore reopened = open(Set.of());
        assertThat(reopened.list()).containsExactly(image);
        assertThat(reopened.get(base)).contains(image);
        assertThat(reopened.get(image.digest())).contains(image);
        assertThat(reopened.get(image.manifestDigest())).contains(image);
        assertThat(reopened.get(registry.address() + "/store/other:1")).isEmpty();
    }

    @Test
    void aSharedLayerIsDownloadedAndStoredOnce() throws Exception {
        ImageStore store = open(Set.of());
        StoredImage first = store.pull(base, null, e -> { });
        String sharedLayer = first.layers().get(0).digest();
        long getsBefore = registry.blobGets("store/app", sharedLayer);
        List<PullEvent> events = new CopyOnWriteArrayList<>();

        StoredImage second = store.pull(app, null, events::add);

        assertThat(second.layers()).hasSize(2);
        assertThat(second.layers().get(0).digest()).isEqualTo(sharedLayer);
        assertThat(events).contains(new PullEvent(PullEvent.Kind.ALREADY_PRESENT, sharedLayer,
                first.layers().get(0).size(), first.layers().get(0).size()));
        assertThat(store.downloads()).isEqualTo(2);
        assertThat(registry.blobGets("store/app", sharedLayer)).isEqualTo(getsBefore);
        // 3 distinct layers' worth of blobs: 2 layers, 2 configs, 2 manifests.
        assertThat(blobFiles()).hasSize(6);
        assertThat(store.rootfs(second).resolve("srv/app.txt")).hasContent("app");
        assertThat(store.rootfs(second).resolve("etc/motd")).hasContent("base");
    }

    @Test
    void concurrentPullsOfOneImageDownloadItOnce() throws Exception {
        // Another store learns the layers, so the registry's access log can be read before and after.
        StoredImage known = ImageStore.open(shared.resolve("probe-state"), ImageStore.Options.DEFAULT)
                .pull(app, null, e -> { });
        Map<String, Long> getsBefore = new java.util.HashMap<>();
        for (StoredImage.Layer layer : known.layers()) {
            getsBefore.put(layer.digest(), registry.blobGets("store/app", layer.digest()));
        }
        ImageStore store = open(Set.of());
        CountDownLatch secondJoined = new CountDownLatch(1);
        AtomicReference<Thread> second = new AtomicReference<>();
        List<PullEvent> secondEvents = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // The first pull stops after resolving until the second has joined it.
            Future<StoredImage> a = pool.submit(() -> store.pull(app, null, event -> {
                if (event.kind() == PullEvent.Kind.RESOLVED) {
                    awaitQuietly(secondJoined);
                }
            }));
            while (store.pullsInProgress() == 0) {
                Thread.onSpinWait();
            }
            Future<StoredImage> b = pool.submit(() -> {
                second.set(Thread.currentThread());
                return store.pull(app, null, secondEvents::add);
            });
            // With the first pull in progress the second caller can only wait for it: nothing else in its path blocks.
            while (second.get() == null || second.get().getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            secondJoined.countDown();
            StoredImage one = a.get(2, TimeUnit.MINUTES);
            StoredImage two = b.get(2, TimeUnit.MINUTES);

            assertThat(two).isEqualTo(one);
            assertThat(store.downloads()).isEqualTo(2);
            for (StoredImage.Layer layer : one.layers()) {
                assertThat(registry.blobGets("store/app", layer.digest())).isEqualTo(getsBefore.get(layer.digest()) + 1);
            }
            assertThat(secondEvents).extracting(PullEvent::kind).contains(PullEvent.Kind.VERIFIED, PullEvent.Kind.UNPACKED);
        } finally {
            secondJoined.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void removeForgetsAndGcFreesWhatNothingNeeds() throws Exception {
        ImageStore store = open(Set.of());
        StoredImage b = store.pull(base, null, e -> { });
        StoredImage a = store.pull(app, null, e -> { });

        assertThat(store.remove(app, false)).isEqualTo(a);
        assertThat(store.list()).containsExactly(b);
        GcResult freed = store.gc();

        assertThat(freed.blobs()).containsExactlyInAnyOrder(a.layers().get(1).digest(), a.configDigest(), a.manifestDigest());
        assertThat(freed.rootfs()).containsExactly(a.manifestDigest());
        assertThat(freed.bytesFreed()).isPositive();
        assertThat(store.rootfs(a)).doesNotExist();
        assertThat(store.rootfs(b).resolve("etc/motd")).hasContent("base");
        assertThat(blobFiles()).hasSize(3);
        assertThat(store.gc().blobs()).isEmpty();
        assertThatThrownBy(() -> store.remove(app, false))
                .isInstanceOfSatisfying(ImageStoreException.class, e -> assertThat(e.code()).isEqualTo("IMAGE_NOT_FOUND"));
    }

    @Test
    void anImageInUseIsOnlyRemovedByForceAndItsTreeStaysUntilUnused() throws Exception {
        Set<String> inUse = new java.util.concurrent.CopyOnWriteArraySet<>();
        ImageStore store = open(inUse);
        StoredImage image = store.pull(base, null, e -> { });
        inUse.add(image.manifestDigest());

        assertThatThrownBy(() -> store.remove(base, false))
                .isInstanceOfSatisfying(ImageStoreException.class, e -> assertThat(e.code()).isEqualTo("IMAGE_IN_USE"))
                .hasMessageContaining("used by a container");
        assertThat(store.list()).containsExactly(image);

        store.remove(base, true);
        assertThat(store.list()).isEmpty();
        GcResult freed = store.gc();
        assertThat(freed.rootfs()).isEmpty();
        assertThat(store.rootfs(image).resolve("etc/motd")).hasContent("base");

        inUse.clear();
        assertThat(store.gc().rootfs()).containsExactly(image.manifestDigest());
        assertThat(blobFiles()).isEmpty();
    }

    @Test
    void aTagMovesToTheImageItNowNames() throws Exception {
        ImageStore store = open(Set.of());
        StoredImage b = store.pull(base, null, e -> { });
        StoredImage second = store.pull(registry.address() + "/store/base@" + b.digest(), null, e -> { });
        assertThat(second.digest()).isEqualTo(b.digest());
        assertThat(store.list()).hasSize(1);
        assertThat(store.list().get(0).references()).hasSize(2);

        // Removing one of two references only untags.
        store.remove(base, false);
        assertThat(store.list()).hasSize(1);
        assertThat(store.list().get(0).references()).containsExactly(registry.address() + "/store/base@" + b.digest());
    }

    @Test
    void aMultiPlatformImageIsKeptUnderItsIndexDigestWithThisNodesManifest() throws Exception {
        HandMadeLayout layout = new HandMadeLayout(state.resolve("index-layout"));
        Map<String, String> manifests = layout.index("multi", List.of("arm64", "amd64"),
                List.of(new Tars().file("etc/motd", "multi").build()));
        String ref = registry.address() + "/store/multi:1";
        TestImages.push(layout.dir(), "multi", ref);
        ImageStore store = open(Set.of());
        List<PullEvent> events = new CopyOnWriteArrayList<>();

        StoredImage image = store.pull(ref, null, events::add);

        assertThat(image.manifestDigest()).isEqualTo(manifests.get("amd64"));
        assertThat(image.digest()).isNotEqualTo(image.manifestDigest());
        assertThat(events.get(0)).extracting(PullEvent::kind, PullEvent::layer)
                .containsExactly(PullEvent.Kind.RESOLVED, image.digest());
        assertThat(store.get(image.digest())).contains(image);
        assertThat(store.get(manifests.get("amd64"))).contains(image);
        assertThat(store.get(manifests.get("arm64"))).isEmpty();
        assertThat(store.rootfs(image).resolve("etc/motd")).hasContent("multi");
    }

    @Test
    void badReferencesAndMissingImagesAreClearErrors() throws Exception {
        ImageStore store = open(Set.of());
        assertThatThrownBy(() -> store.pull("no-registry-here", null, e -> { }))
                .isInstanceOfSatisfying(ImageStoreException.class, e -> assertThat(e.code()).isEqualTo("INVALID_REFERENCE"));
        assertThatThrownBy(() -> store.pull(registry.address() + "/store/missing:1", null, e -> { }))
                .isInstanceOfSatisfying(ImageStoreException.class, e -> assertThat(e.code()).isEqualTo("IMAGE_NOT_FOUND"))
                .hasMessageContaining("store/missing");
        assertThat(store.list()).isEmpty();
        assertThat(blobFiles()).isEmpty();
    }

    private List<Path> blobFiles() throws Exception {
        try (Stream<Path> files = Files.walk(state.resolve("images/blobs"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
