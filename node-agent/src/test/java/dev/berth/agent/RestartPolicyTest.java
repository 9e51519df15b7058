package dev.berth.agent;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restart policies re-create the runc container from the same bundle; the count grows, limits hold. */
class RestartPolicyTest {

    @TempDir
    Path temp;
    AgentHarness agent;

    @BeforeEach
    void start() throws Exception {
        HostTools.requireRuntime();
        agent = new AgentHarness(temp.resolve("state"), Map.of("agent.restart.initial-backoff-ms", 20,
                "agent.restart.max-backoff-ms", 200));
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void onFailureRestartsUpToTheMaximumKeepingTheRootfs() throws Exception {
        List<JsonObject> events = agent.recordEvents();
        // Each run appends to a file in the rootfs: the rootfs survives restarts, so the runs are counted there.
        String id = agent.run(spec("sh", "-c", "echo run >> /runs; echo runs=$(cat /runs | wc -l); exit 3")
                .put("restartPolicy", "on-failure:2"), true);

        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped")
                && s.getInteger("restartCount") == 2);
        Thread.sleep(1000); // a third restart would have happened by now (the backoff is capped at 200 ms)

        status = agent.status(id);
        assertThat(status.getString("state")).isEqualTo("stopped");
        assertThat(status.getInteger("restartCount")).isEqualTo(2);
        assertThat(status.getInteger("exitCode")).isEqualTo(3);
        String logs = agent.call("GET", "/v1/containers/" + id + "/logs", null).body();
        assertThat(logs.lines()).containsExactly("runs=1", "runs=2", "runs=3");
        AgentHarness.waitFor(() -> events.size() >= 7, "seven events");
        assertThat(events).extracting(e -> e.getString("type")).containsExactly("created", "started", "exited",
                "restarted", "exited", "restarted", "exited");
        assertThat(events).extracting(e -> e.getInteger("restartCount")).containsExactly(0, 0, 0, 1, 1, 2, 2);
    }

    @Test
    void onFailureDoesNotRestartASuccess() throws Exception {
        String id = agent.run(spec("true").put("restartPolicy", "on-failure"), true);

        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped"));
        Thread.sleep(500);

        assertThat(agent.status(id).getInteger("restartCount")).isZero();
        assertThat(status.getInteger("exitCode")).isZero();
    }

    @Test
    void alwaysRestartsEvenAfterSuccessUntilStopped() throws Exception {
        String id = agent.run(spec("sh", "-c", "sleep 0.1; exit 0").put("restartPolicy", "always"), true);

        agent.await(id, s -> s.getInteger("restartCount") >= 3);
        // running, or between two runs waiting for its restart: either way stop ends it for good
        AgentHarness.Reply stopped = agent.call("POST", "/v1/containers/" + id + "/stop?timeout=5", null);
        assertThat(stopped.status()).isEqualTo(200);
        int count = stopped.json().getInteger("restartCount");
        Thread.sleep(1000);

        JsonObject status = agent.status(id);
        assertThat(status.getString("state")).isEqualTo("stopped");
        assertThat(status.getBoolean("stopRequested")).isTrue();
        assertThat(status.getInteger("restartCount")).isEqualTo(count);
    }

    @Test
    void aManualKillDisablesTheRestartPolicy() throws Exception {
        String id = agent.run(spec("sleep", "1000").put("restartPolicy", "always"), true);

        assertThat(agent.call("POST", "/v1/containers/" + id + "/kill?signal=KILL", null).status()).isEqualTo(200);
        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped"));
        Thread.sleep(1000); // a restart would have happened by now (the backoff is capped at 200 ms)

        assertThat(status.getInteger("exitCode")).isEqualTo(137);
        assertThat(agent.status(id).getString("state")).isEqualTo("stopped");
        assertThat(agent.status(id).getInteger("restartCount")).isZero();
    }

    @Test
    void aManualStartAfterThePolicyGaveUpRunsOnceMore() throws Exception {
        String id = agent.run(spec("sh", "-c", "exit 1").put("restartPolicy", "on-failure:1"), true);
        agent.await(id, s -> s.getString("state").equals("stopped") && s.getInteger("restartCount") == 1);

        AgentHarness.Reply restarted = agent.call("POST", "/v1/containers/" + id + "/start", null);

        assertThat(restarted.status()).isEqualTo(200);
        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped"));
        assertThat(status.getInteger("exitCode")).isEqualTo(1);
        // a manual start is not a policy restart, and the policy's budget is already spent
        assertThat(status.getInteger("restartCount")).isEqualTo(1);
    }
}
