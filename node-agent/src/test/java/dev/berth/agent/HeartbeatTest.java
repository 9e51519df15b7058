package dev.berth.agent;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Heartbeats reach a real HTTP server standing in for the control plane; its failures are not fatal. */
class HeartbeatTest {

    record Received(String path, String authorization, JsonObject body) {
    }

    @TempDir
    Path temp;
    Vertx controlPlane;
    HttpServer server;
    AgentHarness agent;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger(2);

    @BeforeEach
    void start() throws Exception {
        HostTools.requireRuntime();
        controlPlane = Vertx.vertx();
        server = controlPlane.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            received.add(new Received(request.path(), request.getHeader("Authorization"), body.toJsonObject()));
            // the first answers are failures: the agent must keep trying
            request.response().setStatusCode(failuresLeft.getAndDecrement() > 0 ? 503 : 204).end();
        })).listen(0, "127.0.0.1").await();
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        controlPlane.close().await();
    }

    @Test
    void heartbeatsCarryNodeAndContainerStates() throws Exception {
        agent = new AgentHarness(temp.resolve("state"), Map.of(
                "agent.control-plane-url", "http://127.0.0.1:" + server.actualPort() + "/",
                "agent.node-name", "node-7",
                "agent.heartbeat-interval-ms", 20));
        String id = agent.run(spec("sleep", "1000"), true);

        // the first two heartbeats are answered 503: the agent keeps sending past them
        AgentHarness.waitFor(() -> received.size() > 2 && received.stream().anyMatch(r -> mentions(r, id, "running")),
                "a heartbeat with the running container after the failures");

        Received beat = received.stream().filter(r -> mentions(r, id, "running")).findFirst().orElseThrow();
        assertThat(beat.path()).isEqualTo("/api/v1/nodes/node-7/heartbeat");
        assertThat(beat.authorization()).isEqualTo("Bearer " + AgentHarness.TOKEN);
        assertThat(beat.body().getJsonObject("node").getString("name")).isEqualTo("node-7");
        assertThat(beat.body().getJsonObject("node").getString("runcVersion")).startsWith("runc version");
        assertThat(agent.status(id).getString("state")).isEqualTo("running");
    }

    @Test
    void anUnreachableControlPlaneDoesNotStopTheAgent() throws Exception {
        int closedPort = server.actualPort();
        server.close().await();
        agent = new AgentHarness(temp.resolve("state"), Map.of(
                "agent.control-plane-url", "http://127.0.0.1:" + closedPort,
                "agent.heartbeat-interval-ms", 20));

        String id = agent.run(spec("true"), true);

        assertThat(agent.await(id, s -> s.getString("state").equals("stopped")).getInteger("exitCode")).isZero();
    }

    private static boolean mentions(Received r, String id, String state) {
        return r.body().getJsonArray("containerStates").stream()
                .map(JsonObject.class::cast)
                .anyMatch(c -> c.getString("id").equals(id) && c.getString("state").equals(state));
    }
}
