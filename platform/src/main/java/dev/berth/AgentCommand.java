package dev.berth;

import dev.berth.agent.api.AgentConfig;
import dev.berth.agent.api.AgentImages;
import dev.berth.agent.api.AgentVerticle;
import dev.berth.kit.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth agent}: the node agent, from YAML config and {@code BERTH_AGENT_*} env vars. */
@Command(name = "agent", description = "Run the node agent: containers through conmon + runc, REST API on agent.port.")
final class AgentCommand implements Callable<Integer> {

    @Option(names = "--config", description = "YAML config file; BERTH_AGENT_* env vars override it.")
    Path config;

    @Override
    public Integer call() throws Exception {
        Config loaded = Config.load(config);
        AgentConfig ac = AgentConfig.from(loaded);
        AgentImages images = AgentImages.open(loaded);
        return Main.serve(vertx -> {
            AgentVerticle agent = new AgentVerticle(ac, images.bundles(), List.of(images.routes(vertx)));
            images.serve(agent);
            return vertx.deployVerticle(agent).map(id -> {
                System.out.println("node agent " + ac.nodeName() + " listening on http://" + ac.host() + ":"
                        + agent.actualPort() + "  (state: " + ac.manager().stateDir() + ")");
                // Undeploying stops supervision only: the containers keep running for the next agent.
                return (Main.Stoppable) () -> vertx.undeploy(id).eventually(() -> vertx.executeBlocking(() -> {
                    images.close();
                    return null;
                }));
            });
        });
    }
}
