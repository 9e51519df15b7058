package dev.berth.clients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.berth.testing.HostCommand;
import dev.berth.testing.HostTools;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Builds tiny but real test images from the host's static busybox: no image can be pulled here,
 * so every image the client tests push is made on the spot.
 */
final class BusyboxImages {

    static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";

    // A few applets are enough for a usable shell; linking all ~400 adds nothing to what is tested.
    private static final List<String> APPLETS = List.of("sh", "ls", "cat", "echo", "true");

    private BusyboxImages() {
    }

    /** The manifest digests of a two-platform index and of its children. */
    record TwoPlatformIndex(String indexDigest, String amd64Digest, String arm64Digest) {
    }

    /** Writes a rootfs (bin/busybox plus applet links) into {@code dir} and returns it. */
    static Path rootfs(Path dir) {
        Path busybox = HostTools.require("busybox");
        try {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Files.copy(busybox, bin.resolve("busybox"));
            for (String applet : APPLETS) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
            Files.createDirectories(dir.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** A rootfs tarball, as {@code docker import} takes it. */
    static Path rootfsTar(Path workDir) {
        Path tar = HostTools.require("tar");
        Path rootfs = rootfs(workDir.resolve("rootfs"));
        Path archive = workDir.resolve("rootfs.tar");
        HostCommand.of(tar.toString(), "-C", rootfs.toString(), "-cf", archive.toString(), ".").runOk();
        return archive;
    }

    /**
     * Builds an OCI layout at {@code layoutDir} holding one busybox image for linux/{@code arch}
     * under {@code tag} (umoci new, insert the rootfs, set the config) and returns the layout.
     */
    static OciLayout image(Path layoutDir, String tag, String arch) {
        Path umoci = HostTools.require("umoci");
        Path rootfs = rootfs(layoutDir.resolveSibling(layoutDir.getFileName() + "-" + tag + "-rootfs"));
        String image = layoutDir + ":" + tag;
        if (!Files.exists(layoutDir.resolve("index.json"))) {
            HostCommand.of(umoci.toString(), "init", "--layout", layoutDir.toString()).runOk();
        }
        HostCommand.of(umoci.toString(), "new", "--image", image).runOk();
        HostCommand.of(umoci.toString(), "insert", "--image", image, rootfs.toString(), "/").runOk();
        HostCommand.of(umoci.toString(), "config", "--image", image,
                "--os", "linux", "--architecture", arch,
                "--config.entrypoint", "/bin/sh",
                "--config.cmd", "-c", "--config.cmd", "echo hello from " + arch,
                "--config.label", "dev.berth.test=clients").runOk();
        return new OciLayout(layoutDir);
    }

    /**
     * Builds a layout with a linux/amd64 and a linux/arm64 image (different configs, same layer)
     * and an image index over both, tagged {@code tag}.
     */
    static TwoPlatformIndex twoPlatformIndex(Path layoutDir, String tag) {
        image(layoutDir, "amd64", "amd64");
        OciLayout layout = image(layoutDir, "arm64", "arm64");
        JsonObject amd64 = platformDescriptor(layout, "amd64");
        JsonObject arm64 = platformDescriptor(layout, "arm64");
        JsonObject index = new JsonObject()
                .put("schemaVersion", 2)
                .put("mediaType", INDEX_MEDIA_TYPE)
                .put("manifests", new JsonArray().add(amd64).add(arm64));
        byte[] indexBytes = index.encode().getBytes(StandardCharsets.UTF_8);
        String indexDigest = layout.writeBlob(indexBytes);
        layout.tag(tag, new JsonObject()
                .put("mediaType", INDEX_MEDIA_TYPE)
                .put("digest", indexDigest)
                .put("size", indexBytes.length));
        return new TwoPlatformIndex(indexDigest, amd64.getString("digest"), arm64.getString("digest"));
    }

    private static JsonObject platformDescriptor(OciLayout layout, String arch) {
        JsonObject tagged = layout.descriptor(arch);
        return new JsonObject()
                .put("mediaType", tagged.getString("mediaType"))
                .put("digest", tagged.getString("digest"))
                .put("size", tagged.getLong("size"))
                .put("platform", new JsonObject().put("architecture", arch).put("os", "linux"));
    }
}
