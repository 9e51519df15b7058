package dev.berth.oci.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers built to escape the rootfs. Each one must stop with an exception naming the entry, and the
 * canary file next to the rootfs must be exactly as it was.
 */
class LayerUnpackerHostileTest {

    private static final FileTime CANARY_MTIME = FileTime.fromMillis(1_000_000_000_000L);

    @TempDir
    Path tmp;
    Path rootfs;
    Path outside;
    Path canary;

    private final LayerUnpacker unpacker = new LayerUnpacker(new LayerLimits(1000, 8L << 20));

    @BeforeEach
    void layOutCanary() throws IOException {
        rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        canary = Files.writeString(outside.resolve("canary.txt"), "untouched");
        Files.setLastModifiedTime(canary, CANARY_MTIME);
    }

    @AfterEach
    void canaryIsUntouched() throws IOException {
        assertThat(canary).hasContent("untouched");
        assertThat(Files.getLastModifiedTime(canary)).isEqualTo(CANARY_MTIME);
        try (Stream<Path> besideRootfs = Files.list(tmp); Stream<Path> inOutside = Files.list(outside)) {
            assertThat(besideRootfs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("rootfs", "outside");
            assertThat(inOutside.map(p -> p.getFileName().toString())).containsExactly("canary.txt");
        }
        assertThat(rootfs).isDirectory();
        assertThat(Files.isSymbolicLink(rootfs)).isFalse();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> rejects(TarBuilder layer, String entry, String reason) {
        return assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(layer.tar()),
                LayerCompression.NONE, rootfs, null))
                .isInstanceOfSatisfying(UnsafeLayerException.class, e -> assertThat(e.entryName()).isEqualTo(entry))
                .hasMessageContaining(reason);
    }

    @Test
    void dotDotInAPath() {
        rejects(new TarBuilder().file("../outside/canary.txt", "pwned"), "../outside/canary.txt", "\"..\"");
        rejects(new TarBuilder().dir("a").file("a/../../outside/canary.txt", "pwned"),
                "a/../../outside/canary.txt", "\"..\"");
    }

    @Test
    void absolutePath() {
        String name = canary.toString();
        rejects(new TarBuilder().file(name, "pwned"), name, "absolute path");
    }

    @Test
    void symlinkPointingOutOfTheRootfs() {
        rejects(new TarBuilder().symlink("escape", "../outside").file("escape/canary.txt", "pwned"),
                "escape", "points outside the rootfs");
        rejects(new TarBuilder().dir("a/b").symlink("a/b/up", "../../../outside"), "a/b/up", "points outside");
    }

    @Test
    void writeThroughASymlinkAlreadyInTheRootfsThatPointsOut() throws IOException {
        Files.createSymbolicLink(rootfs.resolve("planted"), Path.of("../outside"));

        rejects(new TarBuilder().file("planted/canary.txt", "pwned"), "planted/canary.txt", "above the rootfs");
        rejects(new TarBuilder().file("planted/.wh.canary.txt", ""), "planted/.wh.canary.txt", "above the rootfs");
        rejects(new TarBuilder().file("planted/.wh..wh..opq", ""), "planted/.wh..wh..opq", "above the rootfs");
        rejects(new TarBuilder().hardlink("stolen", "planted/canary.txt"), "stolen", "above the rootfs");
    }

    @Test
    void anEntryReplacesAPlantedSymlinkInsteadOfWritingThroughIt() throws IOException {
        Files.createSymbolicLink(rootfs.resolve("file"), Path.of("../outside/canary.txt"));
        Files.createSymbolicLink(rootfs.resolve("dir"), Path.of("../outside"));

        unpacker.unpack(new ByteArrayInputStream(new TarBuilder().file("file", "replaced").dir("dir").tar()),
                LayerCompression.NONE, rootfs, null);

        assertThat(Files.isSymbolicLink(rootfs.resolve("file"))).isFalse();
        assertThat(rootfs.resolve("file")).hasContent("replaced");
        assertThat(Files.isSymbolicLink(rootfs.resolve("dir"))).isFalse();
        assertThat(rootfs.resolve("dir")).isEmptyDirectory();
    }

    @Test
    void absoluteSymlinksAreResolvedInsideTheRootfsNotOnTheHost() throws IOException {
        // Allowed: the container resolves /tmp/.../outside against its own root; so do we.
        String hostPath = outside.toString();
        UnpackResult result = unpacker.unpack(new ByteArrayInputStream(new TarBuilder()
                .symlink("abs", hostPath)
                .file("abs/canary.txt", "written inside")
                .file("abs/.wh.canary.txt", "")
                .file("abs/.wh..wh..opq", "")
                .tar()), LayerCompression.NONE, rootfs, null);

        assertThat(result.entries()).isEqualTo(4);
        assertThat(Files.readSymbolicLink(rootfs.resolve("abs"))).isEqualTo(Path.of(hostPath));
        assertThat(rootfs.resolve(hostPath.substring(1)).resolve("canary.txt")).hasContent("written inside");
    }

    @Test
    void symlinkNamedDotReplacingTheRoot() {
        // CVE-2021-29136: "." as a symlink swaps the rootfs for the link's target.
        rejects(new TarBuilder().symlink(".", "../outside").file("canary.txt", "pwned"), ".", "replace the rootfs");
        rejects(new TarBuilder().symlink("./", "../outside"), "./", "replace the rootfs");
        rejects(new TarBuilder().symlink("/", outside.toString()), "/", "absolute path");
        rejects(new TarBuilder().file(".", "pwned"), ".", "replace the rootfs");
    }

    @Test
    void hardlinkToAFileOutsideTheRootfs() {
        rejects(new TarBuilder().hardlink("stolen", "../outside/canary.txt"), "stolen", "points outside the rootfs");
        rejects(new TarBuilder().hardlink("stolen", canary.toString()), "stolen", "points outside the rootfs");
    }

    @Test
    void hardlinkThroughAnAbsoluteSymlinkStaysInsideTheRootfs() {
        rejects(new TarBuilder().symlink("abs", outside.toString()).hardlink("stolen", "abs/canary.txt"),
                "stolen", "does not exist");
    }

    @Test
    void symlinkLoop() {
        rejects(new TarBuilder().symlink("a", "b").symlink("b", "a").file("a/x", "loop"), "a/x", "too many levels");
    }

    @Test
    void whiteoutsThatNameNoFile() {
        rejects(new TarBuilder().file(".wh..", ""), ".wh..", "does not name a file");
        rejects(new TarBuilder().file("../outside/.wh.canary.txt", ""), "../outside/.wh.canary.txt", "\"..\"");
    }

    @Test
    void deviceNodeWithoutRoot() {
        LayerUnpacker rootless = new LayerUnpacker(LayerLimits.DEFAULT, NativeFilesystem.load().withoutRoot());

        assertThatThrownBy(() -> rootless.unpack(new ByteArrayInputStream(
                new TarBuilder().charDevice("mem", 1, 1).tar()), LayerCompression.NONE, rootfs, null))
                .isInstanceOf(UnsafeLayerException.class)
                .hasMessageContaining("\"mem\"")
                .hasMessageContaining("running as root");
        assertThat(rootfs.resolve("mem")).doesNotExist();
    }

    @Test
    void tooManyEntries() {
        rejects(new TarBuilder().emptyFiles("f", 1500), "f1000", "more than 1000 entries");
    }

    @Test
    void decompressionBomb() throws IOException {
        // 64 MiB of zeros gzip to about 64 KiB; the limit here is 8 MiB uncompressed.
        Path blob = new TarBuilder().zeros("bomb", 64L << 20).writeBlob(tmp.resolve("bomb.gz"), LayerCompression.GZIP);
        try {
            assertThat(Files.size(blob)).isLessThan(1L << 20);
            assertThatThrownBy(() -> unpacker.unpack(blob, "application/vnd.oci.image.layer.v1.tar+gzip", rootfs, null))
                    .isInstanceOfSatisfying(UnsafeLayerException.class,
                            e -> assertThat(e.entryName()).isEqualTo("bomb"))
                    .hasMessageContaining("larger than 8388608 uncompressed bytes");
        } finally {
            Files.delete(blob);
        }
    }
}
