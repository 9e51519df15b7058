package dev.berth.agent.bundle;

import dev.berth.agent.image.ImageStore;
import dev.berth.agent.image.ImageStoreException;
import dev.berth.agent.image.PullEvent;
import dev.berth.agent.rootfs.ContainerRootfs;
import dev.berth.agent.rootfs.RootfsMode;
import dev.berth.agent.spec.ContainerSpec;
import dev.berth.oci.layer.LayerLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@code berth bundle}: writes a runtime bundle for an image without running it, for {@code runc run}
 * by hand. The image is pulled into (or taken from) the store under {@code stateDir}.
 */
public final class BundleExport {

    /**
     * What to write.
     *
     * @param args               replaces the image's Cmd, or null to keep it
     * @param insecureRegistries {@code host:port} spoken to in plain HTTP (loopback ones always are)
     * @param rootfs             {@link RootfsMode#COPY} leaves nothing mounted, so the bundle stays a plain
     *                           directory; with OVERLAY, {@code umount OUT/rootfs} when done
     */
    public record Request(Path stateDir, String image, Path out, String user, Map<String, String> env,
                          List<String> args, Set<String> insecureRegistries, RootfsMode rootfs) {
    }

    private BundleExport() {
    }

    public static PreparedBundle write(Request request, Consumer<PullEvent> progress) throws IOException, BundleException {
        try (ImageStore store = ImageStore.open(request.stateDir(),
                new ImageStore.Options(request.insecureRegistries(), LayerLimits.DEFAULT, Set::of))) {
            try {
                if (store.get(request.image()).isEmpty()) {
                    store.pull(request.image(), null, progress);
                }
            } catch (ImageStoreException e) {
                throw new BundleException(e.code(), e.getMessage(), e);
            }
            String id = UUID.randomUUID().toString().replace("-", "");
            ContainerSpec spec = new ContainerSpec(null, request.image(), null, request.args(), request.env(), null,
                    request.user(), null, null, null, null, null);
            return new ImageBundleFactory(store, new ContainerRootfs(request.rootfs())).create(id, spec, request.out());
        }
    }
}
