package dev.berth.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real images for tests that run them: rootfs trees around the host's static busybox, packed into OCI
 * layouts by umoci and pushed by skopeo, so the store is never graded on content it built itself.
 */
public final class TestImages {

    private static final List<String> APPLETS = List.of("sh", "echo", "cat", "ls", "id", "true", "touch", "test");

    private TestImages() {
    }

    /** {@code dir} with bin/busybox, a few applet links, /tmp, and the given extra files (path → content). */
    public static Path busyboxRootfs(Path dir, Map<String, String> files) throws IOException {
        Path busybox = HostTools.require("busybox");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(dir.resolve("tmp"));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return dir;
    }

    /**
     * Adds {@code tag} to the layout (created if missing): one layer holding {@code rootfs}, linux/amd64,
     * then {@code umoci config} with the given options (e.g. {@code --config.cmd}, {@code --config.user}).
     */
    public static void umociImage(Path layout, String tag, Path rootfs, String... config) {
        String umoci = HostTools.require("umoci").toString();
        if (!Files.exists(layout.resolve("index.json"))) {
            HostCommand.runOk(umoci, "init", "--layout", layout.toString());
        }
        HostCommand.runOk(umoci, "new", "--image", layout + ":" + tag);
        addLayer(layout, tag, rootfs, "/");
        configure(layout, tag, config);
    }

    /** {@code umoci config} on an existing tag; with {@code --tag NEW} it writes a new tag instead. */
    public static void configure(Path layout, String tag, String... config) {
        List<String> command = new ArrayList<>(List.of(HostTools.require("umoci").toString(), "config",
                "--image", layout + ":" + tag, "--os", "linux", "--architecture", "amd64"));
        command.addAll(List.of(config));
        HostCommand.runOk(command.toArray(String[]::new));
    }

    /**
     * Adds a layer holding the contents of {@code source} under {@code target} to a tag: umoci unpack,
     * copy, umoci repack. Not "umoci insert": umoci 0.4.7 writes those layers without the tar trailer
     * (GNU tar: "Unexpected EOF"), and inserted at "/" it names the root entry "/".
     */
    public static void addLayer(Path layout, String tag, Path source, String target) {
        String umoci = HostTools.require("umoci").toString();
        String image = layout + ":" + tag;
        Path bundle = layout.resolveSibling(layout.getFileName() + "-" + tag + "-bundle");
        Path into = bundle.resolve("rootfs").resolve(target.substring(1));
        HostCommand.runOk(umoci, "unpack", "--image", image, bundle.toString());
        HostCommand.runOk("mkdir", "-p", into.toString());
        HostCommand.runOk("cp", "-a", source + "/.", into.toString());
        HostCommand.runOk(umoci, "repack", "--image", image, bundle.toString());
        HostCommand.runOk("rm", "-rf", bundle.toString());
    }

    /** {@code skopeo copy --all oci:LAYOUT:TAG docker://DEST} over plain HTTP (an index with all its images). */
    public static void push(Path layout, String tag, String destination) {
        HostCommand.runOk(HostTools.require("skopeo").toString(), "--insecure-policy", "copy", "--all",
                "--dest-tls-verify=false", "oci:" + layout + ":" + tag, "docker://" + destination);
    }
}
