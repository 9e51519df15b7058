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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exits are recorded when conmon writes them, not only at the supervise tick: with the tick an hour apart,
 * a container's exit still shows in its status, ends a log follower, and triggers its restart policy.
 */
@Timeout(120) // without the watcher the follower would wait for the hourly tick
class ExitWatchTest {

    @TempDir
    Path temp;
    AgentHarness agent;

    @BeforeEach
    void start() throws Exception {
        HostTools.requireRuntime();
        agent = new AgentHarness(temp.resolve("state"), Map.of("agent.supervise-interval-ms", 3_600_000));
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void anExitIsRecordedWithoutWaitingForTheTick() throws Exception {
        String id = agent.run(spec("sh", "-c", "echo one; sleep 0.2; echo two; exit 3"), true);

        List<String> followed = agent.lines("/v1/containers/" + id + "/logs?follow=true").toList();

        assertThat(followed).containsExactly("one", "two");
        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped"));
        assertThat(status.getInteger("exitCode")).isEqualTo(3);
    }

    @Test
    void aFollowerEndingOnTheExitFileGetsAllOutputWrittenJustBeforeTheExit() throws Exception {
        for (int round = 0; round < 3; round++) {
            String id = agent.run(spec("sh", "-c", "sleep 0.3; seq 1 20000; echo last"), true);

            List<String> followed = agent.lines("/v1/containers/" + id + "/logs?follow=true").toList();

            assertThat(followed).hasSize(20001);
            assertThat(followed.get(19999)).isEqualTo("20000");
            assertThat(followed.get(20000)).isEqualTo("last");
        }
    }

    @Test
    void anImmediateExitAfterStartIsRecordedAndRestartedByPolicy() throws Exception {
        String id = agent.run(spec("sh", "-c", "exit 1").put("restartPolicy", "on-failure:2"), true);

        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped")
                && s.getInteger("restartCount") == 2);

        assertThat(status.getInteger("exitCode")).isEqualTo(1);
    }
}
