package dev.berth.agent.image;

import dev.berth.agent.rootfs.RootfsMode;
import dev.berth.kit.Config;
import dev.berth.oci.layer.LayerLimits;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The image side's settings (each overridable by env, e.g. {@code BERTH_AGENT_ROOTFS=copy}):
 * {@code agent.state-dir} (default {@code data/agent}; images live in its {@code images/}),
 * {@code agent.rootfs} ({@code overlay}, the default, falling back to a copy when the mount fails; or
 * {@code copy}), {@code agent.insecure-registries} ({@code host:port} list pulled over plain HTTP;
 * loopback registries always are), {@code agent.layer.max-entries} and
 * {@code agent.layer.max-uncompressed-bytes} (per layer; stop tar and gzip/zstd bombs).
 */
public record ImageSettings(Path stateDir, RootfsMode rootfs, Set<String> insecureRegistries, LayerLimits layerLimits) {

    public static ImageSettings from(Config c) {
        return new ImageSettings(
                Path.of(c.string("agent.state-dir", "data/agent")),
                RootfsMode.parse(c.string("agent.rootfs", "overlay")),
                Set.copyOf(new HashSet<>(c.list("agent.insecure-registries", List.of()))),
                new LayerLimits(c.longValue("agent.layer.max-entries", LayerLimits.DEFAULT.maxEntries()),
                        c.longValue("agent.layer.max-uncompressed-bytes", LayerLimits.DEFAULT.maxUncompressedBytes())));
    }

    /** Store options with the caller's view of which images containers use. */
    public ImageStore.Options storeOptions(Supplier<Set<String>> imagesInUse) {
        return new ImageStore.Options(insecureRegistries, layerLimits, imagesInUse);
    }
}
