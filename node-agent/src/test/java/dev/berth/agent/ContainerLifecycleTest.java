package dev.berth.agent;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Containers run by real runc under real conmon, driven through the REST API. */
class ContainerLifecycleTest {

    @TempDir
    Path temp;
    AgentHarness agent;

    @BeforeEach
    void start() throws Exception {
        HostTools.requireRuntime();
        agent = new AgentHarness(temp.resolve("state"));
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void exitCodeAndSeparatedOutputAreReported() throws Exception {
        String id = agent.run(spec("sh", "-c", "echo out1; echo err1 >&2; echo out2; exit 7"), true);

        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped"));

        assertThat(status.getInteger("exitCode")).isEqualTo(7);
        assertThat(status.getBoolean("oomKilled")).isFalse();
        assertThat(status.getString("imageDigest")).isEqualTo(BusyboxBundleFactory.DIGEST);
        assertThat(status.getString("startedAt")).isNotNull();
        assertThat(status.getString("finishedAt")).isNotNull();
        // conmon reads stdout and stderr from two pipes: their relative order is not defined
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs", null).body().lines())
                .containsExactlyInAnyOrder("out1", "err1", "out2");
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs?stream=stdout", null).body())
                .isEqualTo("out1\nout2\n");
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs?stream=stderr", null).body()).isEqualTo("err1\n");
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs?tail=1&stream=stdout", null).body())
                .isEqualTo("out2\n");
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs?tail=1", null).body()).isIn("out2\n", "err1\n");
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs?tail=0", null).body()).isEmpty();
        String stamped = agent.call("GET", "/v1/containers/" + id + "/logs?timestamps=true&stream=stdout", null).body();
        assertThat(stamped.lines().toList()).hasSize(2)
                .allSatisfy(line -> assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+\\S* out\\d"));
    }

    @Test
    void followStreamsUntilTheContainerExits() throws Exception {
        String id = agent.run(spec("sh", "-c", "for i in 1 2 3 4 5; do echo line$i; sleep 0.2; done"), true);

        List<String> lines = agent.lines("/v1/containers/" + id + "/logs?follow=true").toList();

        assertThat(lines).containsExactly("line1", "line2", "line3", "line4", "line5");
        assertThat(agent.status(id).getString("state")).isEqualTo("stopped");
    }

    @Test
    void followDeliversLinesWhileTheContainerRuns() throws Exception {
        String id = agent.run(spec("sh", "-c", "echo first; while [ ! -f /go ]; do sleep 0.05; done; echo last"), true);

        try (java.util.stream.Stream<String> stream = agent.lines("/v1/containers/" + id + "/logs?follow=true&timestamps=true")) {
            java.util.Iterator<String> lines = stream.iterator();
            assertThat(lines.next()).endsWith(" first");
            assertThat(agent.status(id).getString("state")).isEqualTo("running");

            Files.writeString(agent.stateDir.resolve("containers").resolve(id).resolve("bundle/rootfs/go"), "");

            assertThat(lines.next()).endsWith(" last");
            assertThat(lines.hasNext()).isFalse();
        }
    }

    @Test
    void killDeliversTheSignal() throws Exception {
        String id = agent.run(spec("sh", "-c", "trap 'echo got-term; exit 3' TERM; echo ready; "
                + "while true; do sleep 0.1; done"), true);
        AgentHarness.waitFor(() -> logs(id).contains("ready"), "the trap to be installed");

        AgentHarness.Reply killed = agent.call("POST", "/v1/containers/" + id + "/kill?signal=TERM", null);

        assertThat(killed.status()).isEqualTo(200);
        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped"));
        assertThat(status.getInteger("exitCode")).isEqualTo(3);
        assertThat(logs(id)).contains("got-term");
    }

    @Test
    void stopKillsAProcessIgnoringSigtermAfterTheTimeout() throws Exception {
        String id = agent.run(spec("sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"), true);

        AgentHarness.Reply stopped = agent.call("POST", "/v1/containers/" + id + "/stop?timeout=1", null);

        assertThat(stopped.status()).isEqualTo(200);
        assertThat(stopped.json().getString("state")).isEqualTo("stopped");
        assertThat(stopped.json().getInteger("exitCode")).isEqualTo(137);
    }

    @Test
    void memoryLimitBreachIsReportedAsOomKilled() throws Exception {
        java.nio.file.Path strayOom = java.nio.file.Path.of("oom").toAbsolutePath(); // conmon's, in its cwd
        java.nio.file.Files.deleteIfExists(strayOom);
        JsonObject spec = spec("sh", "-c", "exec dd if=/dev/zero of=/dev/null bs=64M count=1")
                .put("resources", new JsonObject().put("memoryBytes", 16 * 1024 * 1024));
        String id = agent.run(spec, true);

        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped"));

        assertThat(status.getBoolean("oomKilled")).isTrue();
        assertThat(status.getInteger("exitCode")).isEqualTo(137);
        assertThat(strayOom).as("conmon runs in the container's persist dir, not the agent's cwd").doesNotExist();
    }

    String logs(String id) {
        try {
            return agent.call("GET", "/v1/containers/" + id + "/logs", null).body();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
