package dev.berth.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.agent.testing.HandMadeLayout;
import dev.berth.agent.testing.Tars;
import dev.berth.infra.TestImages;
import dev.berth.infra.DistributionServer;
import dev.berth.oci.Digest;
import dev.berth.oci.layer.LayerLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images whose layers try to escape (the cases of oci's LayerUnpackerHostileTest, delivered through a
 * real registry): the pull fails with a clear error, nothing is listed, nothing is left in the store,
 * and a canary file beside the state dir is untouched.
 */
class ImageStoreHostileLayerTest {

    private static final FileTime CANARY_MTIME = FileTime.fromMillis(1_000_000_000_000L);

    @org.junit.jupiter.api.io.TempDir
    static Path shared;
    static DistributionServer registry;

    @org.junit.jupiter.api.io.TempDir
    Path work;
    Path state;
    Path canary;

    @BeforeAll
    static void pushHostileImages() throws Exception {
        registry = DistributionServer.start(Files.createDirectories(shared.resolve("registry")));
        HandMadeLayout layout = new HandMadeLayout(shared.resolve("layout"));
        String honest = "etc/ok";
        layout.image("dotdot", List.of(new Tars().file("../../../../../../../canary/canary.txt", "pwned").build()), null);
        layout.image("absolute", List.of(new Tars().file("/canary/canary.txt", "pwned").build()), null);
        layout.image("symlink-out", List.of(new Tars().file(honest, "x")
                .symlink("escape", "../../../../../../../../canary").file("escape/canary.txt", "pwned").build()), null);
        // Two layers: the first plants the link, the second writes through it.
        layout.image("planted-link", List.of(
                new Tars().symlink("planted", "../../../../../../../../canary").build(),
                new Tars().file("planted/canary.txt", "pwned").build()), null);
        layout.image("dot-symlink", List.of(new Tars().symlink(".", "../../../../canary").file("canary.txt", "pwned").build()), null);
        layout.image("hardlink-out", List.of(new Tars().hardlink("stolen", "../../../../../../canary/canary.txt").build()), null);
        layout.image("symlink-loop", List.of(new Tars().symlink("a", "b").symlink("b", "a").file("a/x", "loop").build()), null);
        layout.image("many-entries", List.of(new Tars().files("f", 300).build()), null);
        layout.image("bomb", List.of(new Tars().zeros("bomb", 4 << 20).build()), null);
        layout.image("wrong-diff-id", List.of(new Tars().file(honest, "x").build(),
                new Tars().file("etc/second", "y").build()),
                List.of(Digest.sha256(new Tars().file(honest, "x").build()).toString(),
                        Digest.sha256("not this layer".getBytes()).toString()));
        for (String tag : List.of("dotdot", "absolute", "symlink-out", "planted-link", "dot-symlink", "hardlink-out",
                "symlink-loop", "many-entries", "bomb", "wrong-diff-id")) {
            TestImages.push(layout.dir(), tag, registry.address() + "/hostile/" + tag + ":1");
        }
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void layOutCanary() throws Exception {
        state = Files.createDirectories(work.resolve("state"));
        canary = Files.writeString(Files.createDirectories(work.resolve("canary")).resolve("canary.txt"), "untouched");
        Files.setLastModifiedTime(canary, CANARY_MTIME);
    }

    @AfterEach
    void canaryIsUntouched() throws Exception {
        assertThat(canary).hasContent("untouched");
        assertThat(Files.getLastModifiedTime(canary)).isEqualTo(CANARY_MTIME);
        try (Stream<Path> beside = Files.list(work); Stream<Path> inCanary = Files.list(canary.getParent())) {
            assertThat(beside.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("state", "canary");
            assertThat(inCanary.map(p -> p.getFileName().toString())).containsExactly("canary.txt");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dotdot", "absolute", "symlink-out", "planted-link", "dot-symlink", "hardlink-out",
            "symlink-loop", "many-entries", "bomb", "wrong-diff-id"})
    void aHostileLayerFailsThePullAndLeavesNothingBehind(String tag) throws Exception {
        ImageStore store = ImageStore.open(state,
                new ImageStore.Options(Set.of(), new LayerLimits(200, 1 << 20), Set::of));
        String ref = registry.address() + "/hostile/" + tag + ":1";

        assertThatThrownBy(() -> store.pull(ref, null, e -> { }))
                .isInstanceOfSatisfying(ImageStoreException.class, e -> assertThat(e.code()).isEqualTo("INVALID_LAYER"))
                .hasMessageContaining(ref);

        assertThat(store.list()).isEmpty();
        assertThat(store.get(ref)).isEmpty();
        store.close();
        try (ImageStore reopened = ImageStore.open(state, ImageStore.Options.DEFAULT)) {
            assertThat(reopened.list()).isEmpty();
        }
        for (String dir : List.of("blobs", "rootfs", "meta", "tmp")) {
            try (Stream<Path> left = Files.walk(state.resolve("images").resolve(dir))) {
                assertThat(left.filter(p -> !Files.isDirectory(p))).as(dir).isEmpty();
            }
        }
    }
}
