package dev.berth;

import dev.berth.agent.api.AgentConfig;
import dev.berth.agent.api.AgentVerticle;
import dev.berth.agent.bundle.BundleFactory;
import dev.berth.kit.Config;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth agent}: the node agent, from YAML config and {@code BERTH_AGENT_*} env vars. */
@Command(name = "agent", description = "Run the node agent: containers through conmon + runc, REST API on agent.port.")
final class AgentCommand implements Callable<Integer> {

    /**
     * What the image side contributes, built from the loaded config: the factory turning specs into bundles
     * ({@code ImageBundleFactory}) and its routes ({@code /v1/images}), mounted behind the agent's token.
     */
    record ImageSide(BundleFactory bundles, List<Consumer<Router>> routes) {
    }

    @Option(names = "--config", description = "YAML config file; BERTH_AGENT_* env vars override it.")
    Path config;

    private final Function<Config, ImageSide> imageSide;

    AgentCommand(Function<Config, ImageSide> imageSide) {
        this.imageSide = imageSide;
    }

    @Override
    public Integer call() throws Exception {
        Config loaded = Config.load(config);
        AgentConfig ac = AgentConfig.from(loaded);
        ImageSide images = imageSide.apply(loaded);
        return Main.serve(vertx -> {
            AgentVerticle agent = new AgentVerticle(ac, images.bundles(), images.routes());
            return vertx.deployVerticle(agent).map(id -> {
                System.out.println("node agent " + ac.nodeName() + " listening on http://" + ac.host() + ":"
                        + agent.actualPort() + "  (state: " + ac.manager().stateDir() + ")");
                // Undeploying stops supervision only: the containers keep running for the next agent.
                return (Main.Stoppable) () -> vertx.undeploy(id);
            });
        });
    }
}
