package dev.berth.agent.api;

import dev.berth.agent.bundle.BundleFactory;
import dev.berth.agent.bundle.ImageBundleFactory;
import dev.berth.agent.containers.ContainerStatus;
import dev.berth.agent.image.ImageSettings;
import dev.berth.agent.image.ImageStore;
import dev.berth.agent.image.ImagesApi;
import dev.berth.agent.rootfs.ContainerRootfs;
import dev.berth.kit.Config;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The image side of a running agent, joined to its runtime side: the store under {@code agent.state-dir},
 * the bundle factory the container manager uses, and the {@code /v1/images} routes. The store asks the
 * agent's containers which images are in use, so {@code DELETE /v1/images} and image GC spare them.
 */
public final class AgentImages implements AutoCloseable {

    private final ImageStore store;
    private final ImageBundleFactory bundles;
    private final AtomicReference<AgentVerticle> agent;

    private AgentImages(ImageStore store, ContainerRootfs rootfs, AtomicReference<AgentVerticle> agent) {
        this.store = store;
        this.bundles = new ImageBundleFactory(store, rootfs);
        this.agent = agent;
    }

    /** Opens the image store (blocking: it takes the store's directory lock). */
    public static AgentImages open(Config config) throws IOException {
        ImageSettings settings = ImageSettings.from(config);
        AtomicReference<AgentVerticle> agent = new AtomicReference<>();
        ImageStore store = ImageStore.open(settings.stateDir().toAbsolutePath(),
                settings.storeOptions(() -> inUse(agent.get())));
        return new AgentImages(store, new ContainerRootfs(settings.rootfs()), agent);
    }

    private static Set<String> inUse(AgentVerticle agent) {
        if (agent == null || agent.manager() == null) {
            return Set.of();
        }
        return agent.manager().list(Map.of()).stream().map(ContainerStatus::imageDigest)
                .filter(d -> d != null).collect(Collectors.toSet());
    }

    public BundleFactory bundles() {
        return bundles;
    }

    /** The {@code /v1/images} routes, for {@link AgentVerticle}'s extra routes. */
    public Consumer<Router> routes(Vertx vertx) {
        ImagesApi api = new ImagesApi(vertx, store);
        return api::mount;
    }

    /** The agent whose containers tell which images are in use; call once it is constructed. */
    public void serve(AgentVerticle verticle) {
        agent.set(verticle);
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
