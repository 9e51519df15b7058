package dev.berth.agent.api;

import dev.berth.agent.bundle.BundleFactory;
import dev.berth.agent.containers.ContainerManager;
import dev.berth.agent.containers.ContainerState;
import dev.berth.agent.heartbeat.Heartbeat;
import dev.berth.agent.runtime.ConmonRuntime;
import dev.berth.kit.OpsRoutes;
import dev.berth.kit.RequestLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.backends.BackendRegistries;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The node agent: adopts what a previous agent left on disk, supervises containers, serves the REST API and
 * sends heartbeats. Undeploying it stops all that and leaves every container running for the next agent.
 */
public final class AgentVerticle extends VerticleBase {

    private final AgentConfig config;
    private final BundleFactory bundles;
    private final List<Consumer<Router>> extraRoutes;
    private ContainerManager manager;
    private HttpServer server;
    private Heartbeat heartbeat;
    private final List<Gauge> gauges = new ArrayList<>();

    /**
     * @param bundles     turns specs into bundles (the image side's {@code ImageBundleFactory} in production)
     * @param extraRoutes mounted after the bearer-token check, e.g. the image routes under {@code /v1/images}
     */
    public AgentVerticle(AgentConfig config, BundleFactory bundles, List<Consumer<Router>> extraRoutes) {
        if (config.token().isEmpty() && !config.insecureNoAuth()) {
            throw new IllegalArgumentException("agent.token is not set (env BERTH_AGENT_TOKEN); "
                    + "set it, or agent.insecure-no-auth: true to run without authentication");
        }
        this.config = config;
        this.bundles = bundles;
        this.extraRoutes = List.copyOf(extraRoutes);
    }

    public AgentVerticle(AgentConfig config, BundleFactory bundles) {
        this(config, bundles, List.of());
    }

    /** The port the API listens on (after start; useful when configured as 0). */
    public int actualPort() {
        return server.actualPort();
    }

    public ContainerManager manager() {
        return manager;
    }

    @Override
    public Future<?> start() {
        manager = new ContainerManager(vertx, new ConmonRuntime(config.runtime()), bundles, config.manager());
        return vertx.executeBlocking(() -> {
            Files.createDirectories(config.manager().stateDir());
            return new NodeInfo(config, manager);
        }, false).compose(node -> manager.open().compose(v -> listen(node))).onSuccess(v -> registerGauges());
    }

    /** {@code berth_agent_containers{state=...}} on /metrics, when this Vert.x has metrics enabled. */
    private void registerGauges() {
        MeterRegistry registry = BackendRegistries.getDefaultNow();
        if (registry == null) {
            return;
        }
        for (ContainerState state : ContainerState.values()) {
            gauges.add(Gauge.builder("berth.agent.containers", manager,
                            m -> m.list(Map.of()).stream().filter(c -> c.state() == state).count())
                    .tag("state", state.json())
                    .description("containers on this node by state")
                    .register(registry));
        }
    }

    private Future<HttpServer> listen(NodeInfo node) {
        Router router = Router.router(vertx);
        router.route().handler(RequestLog.create("node-agent"));
        OpsRoutes.mount(router, Map.of("state-dir", () -> vertx.fileSystem().exists(config.manager().stateDir().toString())
                .compose(exists -> exists ? Future.succeededFuture() : Future.failedFuture("state dir is missing"))));
        if (!config.token().isEmpty()) {
            router.route("/v1/*").handler(new BearerAuth(config.token()));
        }
        router.get("/v1/node").handler(ctx -> Replies.blocking(ctx, 200, node::describe));
        new ContainersApi(manager).mount(router);
        new LogsApi(manager).mount(router);
        new EventsApi().mount(router);
        extraRoutes.forEach(mount -> mount.accept(router));
        if (!config.controlPlaneUrl().isEmpty()) {
            heartbeat = new Heartbeat(vertx, config.controlPlaneUrl(), config.nodeName(), config.token(),
                    config.heartbeatIntervalMillis(), node::heartbeat);
            heartbeat.start();
        }
        return vertx.createHttpServer().requestHandler(router).listen(config.port(), config.host())
                .onSuccess(s -> server = s);
    }

    @Override
    public Future<?> stop() {
        MeterRegistry registry = BackendRegistries.getDefaultNow();
        if (registry != null) {
            gauges.forEach(registry::remove);
        }
        if (manager != null) {
            manager.close();
        }
        Future<Void> beat = heartbeat == null ? Future.succeededFuture() : heartbeat.stop();
        return beat.compose(v -> server == null ? Future.succeededFuture() : server.close());
    }
}
