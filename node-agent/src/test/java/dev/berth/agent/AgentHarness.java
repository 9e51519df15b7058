package dev.berth.agent;

import dev.berth.agent.api.AgentConfig;
import dev.berth.agent.api.AgentImages;
import dev.berth.agent.api.AgentVerticle;
import dev.berth.kit.Config;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * An agent in this JVM on a fresh state dir and runc root, plus an HTTP client for its API. {@link #close()}
 * removes every runc container of the root, so no test leaves a container behind.
 */
public final class AgentHarness extends AgentClient implements AutoCloseable {

    public static final String TOKEN = "test-token-" + Long.toHexString(System.nanoTime());

    public final Path stateDir;
    public final Vertx vertx;
    public final AgentVerticle agent;
    private final AgentImages images;


    public AgentHarness(Path stateDir, Map<String, Object> extra) throws Exception {
        this(stateDir, extra, List.of());
    }

    public AgentHarness(Path stateDir, Map<String, Object> extra, List<Consumer<Router>> extraRoutes) throws Exception {
        this(stateDir, extra, extraRoutes, new VertxOptions());
    }

    public AgentHarness(Path stateDir, Map<String, Object> extra, List<Consumer<Router>> extraRoutes,
                        VertxOptions options) throws Exception {
        this(stateDir, extra, extraRoutes, options, false);
    }

    /**
     * An agent with the real image side ({@link AgentImages}: the image store under the state dir,
     * {@code ImageBundleFactory}, the {@code /v1/images} routes), as {@code berth agent} runs it.
     */
    public static AgentHarness withImages(Path stateDir, Map<String, Object> extra) throws Exception {
        return new AgentHarness(stateDir, extra, List.of(), new VertxOptions(), true);
    }

    private AgentHarness(Path stateDir, Map<String, Object> extra, List<Consumer<Router>> extraRoutes,
                         VertxOptions options, boolean realImages) throws Exception {
        this.stateDir = stateDir;
        this.vertx = Vertx.vertx(options);
        Map<String, Object> tree = new HashMap<>();
        tree.put("agent.state-dir", stateDir.toString());
        tree.put("agent.port", 0);
        tree.put("agent.token", TOKEN);
        tree.put("agent.restart.initial-backoff-ms", 50);
        tree.put("agent.restart.max-backoff-ms", 400);
        tree.put("agent.supervise-interval-ms", 50);
        tree.putAll(extra);
        Config loaded = Config.of(tree, Map.of());
        AgentConfig config = AgentConfig.from(loaded);
        if (realImages) {
            this.images = AgentImages.open(loaded);
            List<Consumer<Router>> routes = new java.util.ArrayList<>(extraRoutes);
            routes.add(images.routes(vertx));
            this.agent = new AgentVerticle(config, images.bundles(), routes);
            images.serve(agent);
        } else {
            this.images = null;
            this.agent = new AgentVerticle(config, new BusyboxBundleFactory(), extraRoutes);
        }
        vertx.deployVerticle(agent).await();
        connect(agent.actualPort());
    }

    public AgentHarness(Path stateDir) throws Exception {
        this(stateDir, Map.of());
    }

    public static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    public static JsonObject spec(String... argv) {
        return new JsonObject().put("image", "busybox").put("args", new io.vertx.core.json.JsonArray(List.of(argv)));
    }

    public Path runcRoot() {
        return stateDir.resolve("runc");
    }

    /** Undeploys the agent (containers keep running) without cleaning up. */
    public void stopAgent() throws IOException {
        vertx.close().await();
        closeImages();
    }

    private void closeImages() throws IOException {
        if (images != null) {
            images.close();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (images != null) {
                // DELETE destroys each container's rootfs (an overlay mount under the state dir)
                for (Object c : call("GET", "/v1/containers", null).json().getJsonArray("containers")) {
                    call("DELETE", "/v1/containers/" + ((JsonObject) c).getString("id") + "?force=true", null);
                }
            }
            vertx.close().await();
            closeImages();
        } finally {
            removeRuncContainers(runcRoot());
        }
    }

    /** Force-deletes every container in a runc root. */
    public static void removeRuncContainers(Path root) throws IOException, InterruptedException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (var dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                new ProcessBuilder(HostTools.RUNC.toString(), "--root", root.toString(), "delete", "--force",
                        dir.getFileName().toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            }
        }
    }
}
