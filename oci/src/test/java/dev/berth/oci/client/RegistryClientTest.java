package dev.berth.oci.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.ContentMismatchException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Descriptor.Platform;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.layer.LayerUnpacker;
import dev.berth.oci.layer.UnpackResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from a real CNCF distribution registry, images pushed there by skopeo. */
class RegistryClientTest {

    private static final Platform AMD64 = new Platform("linux", "amd64", null);
    private static final Platform ARM64 = new Platform("linux", "arm64", null);
    private static final Platform ARM_V7 = new Platform("linux", "arm", "v7");

    @TempDir
    static Path shared;
    static DistributionRegistry registry;
    static Descriptor single;

    @TempDir
    Path tmp;

    private final RegistryClient client = RegistryClient.builder().platform(AMD64).build();

    @BeforeAll
    static void startRegistryAndPush() throws Exception {
        registry = DistributionRegistry.start(Files.createDirectories(shared.resolve("registry")), "");
        OciLayout layout = new OciLayout(shared.resolve("layout"));
        single = layout.image(AMD64, Map.of("etc/motd", "hello from the registry\n", "app/run", "#!/bin/sh\n"));
        layout.tag("single", single);
        layout.tag("multi", layout.index(List.of(
                layout.image(ARM64, Map.of("arch", "arm64")),
                layout.image(AMD64, Map.of("arch", "amd64")),
                layout.image(ARM_V7, Map.of("arch", "arm/v7")))));
        Skopeo.push(layout.dir(), "single", registry.address() + "/team/app:1.0");
        Skopeo.push(layout.dir(), "multi", registry.address() + "/team/multi:latest");
        Skopeo.push(layout.dir(), "single", registry.address() + "/team/docker:1.0", "--format", "v2s2");
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    private ImageReference ref(String path) {
        return ImageReference.parse(registry.address() + "/" + path);
    }

    @Test
    void pullsAndUnpacksAnImage() throws Exception {
        ImageReference ref = ref("team/app:1.0");

        ResolvedImage image = client.resolve(ref);
        ImageConfig config = client.fetchConfig(ref, image.manifest().manifest());
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        LayerUnpacker unpacker = new LayerUnpacker();
        List<Descriptor> layers = image.manifest().manifest().layers();
        for (int i = 0; i < layers.size(); i++) {
            Path blob = tmp.resolve("layer-" + i);
            client.fetchBlob(ref, layers.get(i), blob);
            UnpackResult result = unpacker.unpack(blob, layers.get(i).mediaType(), rootfs, config.diffIds().get(i));
            assertThat(result.diffId()).isEqualTo(config.diffIds().get(i));
        }

        assertThat(image.digest()).isEqualTo(single.digest());
        assertThat(image.manifest().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(config.architecture()).isEqualTo("amd64");
        assertThat(rootfs.resolve("etc/motd")).hasContent("hello from the registry");
        assertThat(rootfs.resolve("app/run")).exists();
    }

    @Test
    void resolvesAnIndexToTheRequestedPlatform() throws Exception {
        ImageReference ref = ref("team/multi");
        for (Platform platform : List.of(AMD64, ARM64, ARM_V7, new Platform("linux", "arm64", "v8"))) {
            RegistryClient forPlatform = RegistryClient.builder().platform(platform).build();

            ResolvedImage image = forPlatform.resolve(ref);
            ImageConfig config = forPlatform.fetchConfig(ref, image.manifest().manifest());
            Descriptor layer = image.manifest().manifest().layers().get(0);
            Path rootfs = Files.createDirectories(tmp.resolve(PlatformSelector.format(platform).replace('/', '-')));
            Path blob = tmp.resolve(layer.digest().hex());
            forPlatform.fetchBlob(ref, layer, blob);
            new LayerUnpacker().unpack(blob, layer.mediaType(), rootfs, config.diffIds().get(0));

            String expected = platform.architecture() + (platform.architecture().equals("arm") ? "/v7" : "");
            assertThat(rootfs.resolve("arch")).hasContent(expected);
            assertThat(config.architecture()).isEqualTo(platform.architecture());
            assertThat(image.digest()).as("the index digest, to pin deployments to")
                    .isNotEqualTo(image.manifest().digest());
        }
    }

    @Test
    void hostPlatformIsTheDefault() throws Exception {
        Platform host = PlatformSelector.host();
        RegistryClient byDefault = RegistryClient.builder().build();
        assertThat(byDefault.platform()).isEqualTo(host);

        if (List.of("amd64", "arm64").contains(host.architecture()) && host.os().equals("linux")) {
            ResolvedImage image = byDefault.resolve(ref("team/multi"));
            assertThat(byDefault.fetchConfig(ref("team/multi"), image.manifest().manifest()).architecture())
                    .isEqualTo(host.architecture());
        }
    }

    @Test
    void anIndexWithoutThePlatformSaysWhatItOffers() {
        RegistryClient windows = RegistryClient.builder().platform(new Platform("windows", "amd64", null)).build();

        assertThatThrownBy(() -> windows.resolve(ref("team/multi")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("windows/amd64")
                .hasMessageContaining("linux/arm64, linux/amd64, linux/arm/v7");
    }

    @Test
    void fetchesByDigestAndDockerMediaTypes() throws Exception {
        FetchedManifest byDigest = client.fetchManifest(ref("team/app@" + single.digest()));
        FetchedManifest docker = client.fetchManifest(ref("team/docker:1.0"));

        assertThat(byDigest.digest()).isEqualTo(single.digest());
        assertThat(docker.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(docker.manifest().layers()).singleElement()
                .extracting(Descriptor::mediaType).isEqualTo(MediaTypes.DOCKER_LAYER_GZIP);
    }

    @Test
    void unknownManifestIsARegistryError() {
        assertThatThrownBy(() -> client.fetchManifest(ref("team/app:missing")))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("MANIFEST_UNKNOWN");
                });
    }

    @Test
    void aBlobOfTheWrongSizeLeavesNoFileBehind() throws Exception {
        ImageReference ref = ref("team/app:1.0");
        Descriptor layer = client.resolve(ref).manifest().manifest().layers().get(0);
        Descriptor lying = new Descriptor(layer.mediaType(), layer.digest(), layer.size() - 1, null, Map.of(), null, false);
        Path target = tmp.resolve("layer");

        assertThatThrownBy(() -> client.fetchBlob(ref, lying, target)).isInstanceOf(ContentMismatchException.class);
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void aCorruptedBlobIsRefusedAndRemoved() throws Exception {
        // Its own image, so corrupting the registry's copy does not break the other tests.
        OciLayout layout = new OciLayout(tmp.resolve("layout"));
        layout.tag("victim", layout.image(AMD64, Map.of("file", "the original content")));
        Skopeo.push(layout.dir(), "victim", registry.address() + "/team/victim:1");
        ImageReference ref = ref("team/victim:1");
        Descriptor layer = client.resolve(ref).manifest().manifest().layers().get(0);
        Path stored = registry.blobData(layer.digest().hex());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(stored, bytes);
        Path downloads = Files.createDirectories(tmp.resolve("downloads"));

        assertThatThrownBy(() -> client.fetchBlob(ref, layer, downloads.resolve("layer")))
                .isInstanceOf(ContentMismatchException.class)
                .hasMessageContaining(layer.digest().toString());
        try (Stream<Path> left = Files.list(downloads)) {
            assertThat(left).isEmpty();
        }
    }
}
