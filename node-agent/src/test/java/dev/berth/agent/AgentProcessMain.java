package dev.berth.agent;

import dev.berth.agent.api.AgentConfig;
import dev.berth.agent.api.AgentImages;
import dev.berth.agent.api.AgentVerticle;
import dev.berth.kit.Config;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Test-only: an agent in a JVM of its own, so a test can kill -9 it. Args: state dir, port file, token, and
 * optionally {@code images} for the real image side ({@link AgentImages}, as {@code berth agent} runs it)
 * instead of the test's {@link BusyboxBundleFactory}.
 * Writes the API port to the port file once it listens.
 */
public final class AgentProcessMain {

    private AgentProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        Path portFile = Path.of(args[1]);
        Map<String, Object> tree = Map.of(
                "agent.state-dir", stateDir.toString(),
                "agent.port", 0,
                "agent.token", args[2],
                "agent.supervise-interval-ms", 50,
                "agent.restart.initial-backoff-ms", 20);
        Config loaded = Config.of(tree, Map.of());
        AgentConfig config = AgentConfig.from(loaded);
        Vertx vertx = Vertx.vertx();
        AgentVerticle agent;
        if (args.length > 3 && args[3].equals("images")) {
            AgentImages images = AgentImages.open(loaded);
            agent = new AgentVerticle(config, images.bundles(), java.util.List.of(images.routes(vertx)));
            images.serve(agent);
        } else {
            agent = new AgentVerticle(config, new BusyboxBundleFactory());
        }
        vertx.deployVerticle(agent).await();
        Path temp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(temp, Integer.toString(agent.actualPort()));
        Files.move(temp, portFile, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }
}
