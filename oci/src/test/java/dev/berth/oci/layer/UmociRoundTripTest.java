package dev.berth.oci.layer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.HostTools;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers written by a real tool: umoci builds a busybox image in two layers (the second deletes a
 * file, so it carries a whiteout); the unpacker must rebuild exactly the tree umoci packed.
 */
class UmociRoundTripTest {

    @TempDir
    Path tmp;

    @Test
    void rebuildsTheTreeUmociPacked() throws Exception {
        Path umoci = HostTools.executable("umoci");
        HostTools.require(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static (/bin/busybox)");
        Path layout = tmp.resolve("image");
        Path bundle = tmp.resolve("bundle");
        run(umoci, "init", "--layout", layout.toString());
        run(umoci, "new", "--image", layout + ":busybox");
        run(umoci, "unpack", "--image", layout + ":busybox", bundle.toString());
        Path source = bundle.resolve("rootfs");
        Files.createDirectories(source.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), source.resolve("bin/busybox"));
        for (String applet : List.of("sh", "ls", "cat")) {
            Files.createSymbolicLink(source.resolve("bin/" + applet), Path.of("busybox"));
        }
        Files.createDirectories(source.resolve("etc/conf.d"));
        Files.writeString(source.resolve("etc/motd"), "temporary\n");
        Files.writeString(source.resolve("etc/conf.d/app.conf"), "a=1\n");
        Files.createLink(source.resolve("etc/conf.d/app.conf.link"), source.resolve("etc/conf.d/app.conf"));
        Files.setAttribute(source.resolve("etc/conf.d/app.conf"), "unix:mode", 0600);
        Files.createSymbolicLink(source.resolve("etc/absolute"), Path.of("/etc/motd"));
        // --refresh-bundle: the next repack diffs against this one, so the deletion becomes a whiteout.
        run(umoci, "repack", "--refresh-bundle", "--image", layout + ":busybox", bundle.toString());
        Files.delete(source.resolve("etc/motd"));
        run(umoci, "repack", "--image", layout + ":busybox", bundle.toString());

        Manifest manifest = manifestOf(layout, "busybox");
        ImageConfig config = ImageConfig.parse(Files.readAllBytes(blob(layout, manifest.config().digest())));
        assertThat(manifest.layers()).hasSize(2).hasSameSizeAs(config.diffIds());
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        LayerUnpacker unpacker = new LayerUnpacker();
        for (int i = 0; i < manifest.layers().size(); i++) {
            Descriptor layer = manifest.layers().get(i);
            UnpackResult result = unpacker.unpack(blob(layout, layer.digest()), layer.mediaType(), rootfs,
                    config.diffIds().get(i));
            assertThat(result.diffId()).isEqualTo(config.diffIds().get(i));
        }

        assertThat(tree(rootfs)).isEqualTo(tree(source));
        assertThat(rootfs.resolve("etc/motd")).doesNotExist();
        assertThat(Files.isSameFile(rootfs.resolve("etc/conf.d/app.conf"), rootfs.resolve("etc/conf.d/app.conf.link")))
                .isTrue();
        Process ls = new ProcessBuilder(rootfs.resolve("bin/sh").toString(), "-c", "echo ok").start();
        assertThat(new String(ls.getInputStream().readAllBytes())).isEqualTo("ok\n");
        assertThat(ls.waitFor()).isZero();
    }

    private static Manifest manifestOf(Path layout, String tag) throws IOException {
        var index = new ObjectMapper().readTree(layout.resolve("index.json").toFile());
        for (var entry : index.get("manifests")) {
            if (tag.equals(entry.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                Digest digest = Digest.parse(entry.get("digest").asText());
                return ManifestParser.parse(Files.readAllBytes(blob(layout, digest)), entry.get("mediaType").asText());
            }
        }
        throw new AssertionError("tag " + tag + " not in " + layout);
    }

    private static Path blob(Path layout, Digest digest) {
        return layout.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    /** Path → type, mode, owner and content (or link target): what a container would see. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                Map<String, Object> attrs = Files.readAttributes(p, "unix:mode,uid,gid,size", LinkOption.NOFOLLOW_LINKS);
                String what;
                if (Files.isSymbolicLink(p)) {
                    what = "link -> " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    what = "dir " + Integer.toOctalString((Integer) attrs.get("mode"));
                } else {
                    what = "file " + Integer.toOctalString((Integer) attrs.get("mode")) + " "
                            + Digest.sha256(Files.readAllBytes(p));
                }
                out.put(root.relativize(p).toString(), what + " " + attrs.get("uid") + ":" + attrs.get("gid"));
            }
        }
        return out;
    }

    private static void run(Path tool, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(tool.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s\n%s", command, output).isZero();
    }
}
