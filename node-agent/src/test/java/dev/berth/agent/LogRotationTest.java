package dev.berth.agent;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent rotates a growing log and conmon reopens it: no line is lost, only {@code keep} files are kept. */
class LogRotationTest {

    @TempDir
    Path temp;
    AgentHarness agent;

    @BeforeEach
    void start() throws Exception {
        HostTools.requireRuntime();
        agent = new AgentHarness(temp.resolve("state"), Map.of("agent.logs.max-bytes", 2000, "agent.logs.keep", 50));
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void rotatedLogsReadAsOneStream() throws Exception {
        String id = agent.run(spec("sh", "-c", "for i in $(seq 1 400); do echo line-$i; sleep 0.005; done"), true);
        agent.await(id, s -> s.getString("state").equals("stopped"));

        Path dir = agent.stateDir.resolve("containers").resolve(id);
        assertThat(dir.resolve("container.log.1")).exists();
        List<String> expected = IntStream.rangeClosed(1, 400).mapToObj(i -> "line-" + i).toList();
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs", null).body().lines()).containsExactlyElementsOf(expected);
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs?tail=3", null).body())
                .isEqualTo("line-398\nline-399\nline-400\n");
        for (Path rotated : List.of(dir.resolve("container.log.1"))) {
            assertThat(Files.size(rotated)).isLessThan(20_000);
        }
    }

    @Test
    void onlyKeepRotatedFilesRemainAndWhatRemainsIsTheNewest() throws Exception {
        agent.close();
        agent = new AgentHarness(temp.resolve("state2"), Map.of("agent.logs.max-bytes", 2000, "agent.logs.keep", 2));
        String id = agent.run(spec("sh", "-c", "for i in $(seq 1 400); do echo line-$i; sleep 0.005; done"), true);
        agent.await(id, s -> s.getString("state").equals("stopped"));

        Path dir = agent.stateDir.resolve("containers").resolve(id);
        assertThat(dir.resolve("container.log.2")).exists();
        assertThat(dir.resolve("container.log.3")).doesNotExist();
        List<String> lines = agent.call("GET", "/v1/containers/" + id + "/logs", null).body().lines().toList();
        int first = Integer.parseInt(lines.get(0).substring("line-".length()));
        assertThat(first).isGreaterThan(1);
        assertThat(lines).containsExactlyElementsOf(IntStream.rangeClosed(first, 400).mapToObj(i -> "line-" + i).toList());
    }
}
