package dev.berth.oci.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.oci.ContentMismatchException;
import dev.berth.oci.Digest;
import dev.berth.oci.HostTools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LayerUnpackerTest {

    @TempDir
    Path tmp;

    private final LayerUnpacker unpacker = new LayerUnpacker();

    private Path rootfs() throws IOException {
        return Files.createDirectories(tmp.resolve("rootfs"));
    }

    private UnpackResult apply(TarBuilder layer, Path rootfs) throws IOException {
        return unpacker.unpack(new ByteArrayInputStream(layer.tar()), LayerCompression.NONE, rootfs, null);
    }

    @ParameterizedTest
    @EnumSource(LayerCompression.class)
    void unpacksEveryCompressionAndVerifiesTheDiffId(LayerCompression compression) throws IOException {
        TarBuilder layer = new TarBuilder()
                .dir("etc")
                .file("etc/hostname", "berth\n")
                .dir("usr/bin")
                .file("usr/bin/tool", "#!/bin/sh\n", 0755)
                .symlink("bin", "usr/bin")
                .hardlink("etc/hostname.bak", "etc/hostname");
        Digest diffId = Digest.sha256(layer.tar());
        Path blob = layer.writeBlob(tmp.resolve("layer.blob"), compression);
        Path rootfs = rootfs();

        UnpackResult result = unpacker.unpack(blob, TarBuilder.MEDIA_TYPES.get(compression), rootfs, diffId);

        assertThat(result.diffId()).isEqualTo(diffId);
        assertThat(result.entries()).isEqualTo(6);
        assertThat(rootfs.resolve("etc/hostname")).hasContent("berth");
        assertThat(rootfs.resolve("bin/tool")).hasContent("#!/bin/sh");
        assertThat(Files.readSymbolicLink(rootfs.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
        assertThat(Files.isSameFile(rootfs.resolve("etc/hostname"), rootfs.resolve("etc/hostname.bak"))).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(rootfs.resolve("usr/bin/tool"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(Files.getLastModifiedTime(rootfs.resolve("etc"))).isEqualTo(FileTime.from(TarBuilder.MTIME));
        assertThat(Files.getLastModifiedTime(rootfs.resolve("bin"), LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(FileTime.from(TarBuilder.MTIME));
    }

    @Test
    void refusesALayerWhoseDiffIdDoesNotMatchTheConfig() throws IOException {
        TarBuilder layer = new TarBuilder().file("a", "a");
        Digest other = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(layer.tar()), LayerCompression.NONE,
                rootfs(), other))
                .isInstanceOf(ContentMismatchException.class)
                .hasMessageContaining(other.toString());
    }

    @Test
    void appliesFullModesAndOwnershipAsRoot() throws IOException {
        assumeTrue(unpacker.runsAsRoot(), "ownership is only applied when running as root");
        Path rootfs = rootfs();
        apply(new TarBuilder()
                .owned("setuid", "x", 04755, 1234, 5678)
                .dir("tmp", 01777)
                .dir("locked", 0500)
                .file("locked/inside", "still written"), rootfs);

        assertThat(Files.getAttribute(rootfs.resolve("setuid"), "unix:mode")).isEqualTo(0104755);
        assertThat(Files.getAttribute(rootfs.resolve("setuid"), "unix:uid")).isEqualTo(1234);
        assertThat(Files.getAttribute(rootfs.resolve("setuid"), "unix:gid")).isEqualTo(5678);
        assertThat(Files.getAttribute(rootfs.resolve("tmp"), "unix:mode")).isEqualTo(041777);
        assertThat(Files.getAttribute(rootfs.resolve("locked"), "unix:mode")).isEqualTo(040500);
        assertThat(rootfs.resolve("locked/inside")).hasContent("still written");
    }

    @Test
    void createsDeviceNodesAndFifosAsRoot() throws IOException {
        assumeTrue(unpacker.runsAsRoot(), "device nodes need root");
        Path rootfs = rootfs();
        apply(new TarBuilder().dir("dev").charDevice("dev/null", 1, 3).fifo("dev/pipe"), rootfs);

        assertThat(Files.getAttribute(rootfs.resolve("dev/null"), "unix:mode")).isEqualTo(0020666);
        assertThat(Files.getAttribute(rootfs.resolve("dev/null"), "unix:rdev")).isEqualTo(NativeFilesystem.makedev(1, 3));
        assertThat(Files.getAttribute(rootfs.resolve("dev/pipe"), "unix:mode")).isEqualTo(0010600);
    }

    @Test
    void appliesUserXattrs() throws IOException {
        Path rootfs = rootfs();
        UnpackResult result = apply(new TarBuilder().xattr("tagged", "x", "user.berth", "yes"), rootfs);

        UserDefinedFileAttributeView view = Files.getFileAttributeView(
                rootfs.resolve("tagged"), UserDefinedFileAttributeView.class);
        assumeTrue(result.skipped().isEmpty(), "filesystem under the temp dir has no user xattrs: " + result.skipped());
        ByteBuffer value = ByteBuffer.allocate(16);
        view.read("berth", value);
        assertThat(new String(value.array(), 0, value.position(), StandardCharsets.UTF_8)).isEqualTo("yes");
    }

    @Test
    void whiteoutRemovesWhatALowerLayerLeft() throws IOException {
        Path rootfs = rootfs();
        apply(new TarBuilder().dir("a").file("a/gone", "1").file("a/kept", "2").dir("tree").file("tree/deep", "3"),
                rootfs);
        apply(new TarBuilder().file("a/.wh.gone", "").file(".wh.tree", ""), rootfs);

        assertThat(rootfs.resolve("a/gone")).doesNotExist();
        assertThat(rootfs.resolve("a/kept")).hasContent("2");
        assertThat(rootfs.resolve("tree")).doesNotExist();
        assertThat(rootfs.resolve("a/.wh.gone")).doesNotExist();
    }

    @Test
    void opaqueDirectoryHidesTheLowerLayerButKeepsItsOwnEntriesInAnyOrder() throws IOException {
        Path rootfs = rootfs();
        apply(new TarBuilder().dir("a").file("a/old", "1").dir("a/sub").file("a/sub/old", "2").file("b", "3"),
                rootfs);
        // The new sibling comes before the marker: the spec only says writers SHOULD put it first.
        apply(new TarBuilder().dir("a").file("a/new", "4").dir("a/sub").file("a/sub/fresh", "5")
                .file("a/.wh..wh..opq", ""), rootfs);

        try (Stream<Path> all = Files.walk(rootfs.resolve("a"))) {
            assertThat(all.map(p -> rootfs.relativize(p).toString()))
                    .containsExactlyInAnyOrder("a", "a/new", "a/sub", "a/sub/fresh");
        }
        assertThat(rootfs.resolve("b")).hasContent("3");
    }

    @Test
    void aWhiteoutDoesNotHideAFileFromItsOwnLayer() throws IOException {
        Path rootfs = rootfs();
        apply(new TarBuilder().file("same", "mine").file(".wh.same", ""), rootfs);

        assertThat(rootfs.resolve("same")).hasContent("mine");
    }

    @Test
    void entriesReplaceWhatIsThere() throws IOException {
        Path rootfs = rootfs();
        apply(new TarBuilder().dir("x").file("x/child", "1").file("y", "file").symlink("z", "y"), rootfs);
        apply(new TarBuilder().file("x", "now a file").dir("y").file("z", "no longer a link"), rootfs);

        assertThat(rootfs.resolve("x")).isRegularFile().hasContent("now a file");
        assertThat(rootfs.resolve("y")).isDirectory();
        assertThat(Files.isSymbolicLink(rootfs.resolve("z"))).isFalse();
        assertThat(rootfs.resolve("z")).hasContent("no longer a link");
    }

    @Test
    void writesThroughSymlinkedDirectoriesInsideTheRootfs() throws IOException {
        Path rootfs = rootfs();
        // Merged-/usr images: lib -> usr/lib, and a later layer writes lib/x.
        apply(new TarBuilder().dir("usr/lib").symlink("lib", "usr/lib").symlink("abs", "/usr"), rootfs);
        apply(new TarBuilder().file("lib/libx.so", "x").file("abs/lib/liby.so", "y"), rootfs);

        assertThat(rootfs.resolve("usr/lib/libx.so")).hasContent("x");
        assertThat(rootfs.resolve("usr/lib/liby.so")).hasContent("y");
    }

    @Test
    void busyboxLayerRunsAfterUnpacking() throws Exception {
        Path busybox = Path.of("/bin/busybox");
        HostTools.require(Files.isExecutable(busybox), "busybox-static (/bin/busybox)");
        TarBuilder layer = new TarBuilder().dir("bin").file("bin/busybox", busybox, 0755);
        for (String applet : new String[] {"sh", "echo", "ls", "cat"}) {
            layer.symlink("bin/" + applet, "busybox");
        }
        layer.dir("etc").file("etc/motd", "hello from the layer\n");
        Path blob = layer.writeBlob(tmp.resolve("busybox.tar.gz"), LayerCompression.GZIP);
        Path rootfs = rootfs();

        UnpackResult result = unpacker.unpack(blob, "application/vnd.docker.image.rootfs.diff.tar.gzip", rootfs,
                Digest.sha256(layer.tar()));

        assertThat(result.entries()).isEqualTo(8);
        Process sh = new ProcessBuilder(rootfs.resolve("bin/sh").toString(), "-c",
                "cat " + rootfs.resolve("etc/motd") + "; echo done")
                .redirectErrorStream(true).start();
        String output = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sh.waitFor()).isZero();
        assertThat(output).isEqualTo("hello from the layer\ndone\n");
    }
}
