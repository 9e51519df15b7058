package dev.berth;

import dev.berth.agent.api.AgentConfig;
import dev.berth.agent.api.AgentVerticle;
import dev.berth.agent.bundle.BundleFactory;
import dev.berth.kit.Config;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth agent}: the node agent, from YAML config and {@code BERTH_AGENT_*} env vars. */
@Command(name = "agent", description = "Run the node agent: containers through conmon + runc, REST API on agent.port.")
final class AgentCommand implements Callable<Integer> {

    @Option(names = "--config", description = "YAML config file; BERTH_AGENT_* env vars override it.")
    Path config;

    private final BundleFactory bundles;

    /** @param bundles turns container specs into bundles: the image side's {@code ImageBundleFactory} */
    AgentCommand(BundleFactory bundles) {
        this.bundles = bundles;
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig ac = AgentConfig.from(Config.load(config));
        return Main.serve(vertx -> {
            AgentVerticle agent = new AgentVerticle(ac, bundles);
            return vertx.deployVerticle(agent).map(id -> {
                System.out.println("node agent " + ac.nodeName() + " listening on http://" + ac.host() + ":"
                        + agent.actualPort() + "  (state: " + ac.manager().stateDir() + ")");
                // Undeploying stops supervision only: the containers keep running for the next agent.
                return (Main.Stoppable) () -> vertx.undeploy(id);
            });
        });
    }
}
