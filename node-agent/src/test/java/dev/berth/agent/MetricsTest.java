package dev.berth.agent;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.kit.OpsRoutes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics, open like /health, counts containers by state. */
class MetricsTest {

    @TempDir
    Path temp;
    AgentHarness agent;

    @BeforeEach
    void start() throws Exception {
        HostTools.requireRuntime();
        agent = new AgentHarness(temp.resolve("state"), Map.of(), List.of(), OpsRoutes.vertxOptionsWithMetrics());
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void containersByStateAreExported() throws Exception {
        agent.run(spec("sleep", "1000"), true);
        agent.run(spec("true"), false);

        AgentHarness.Reply metrics = agent.call("GET", "/metrics", null, null);

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body().lines())
                .anySatisfy(line -> assertThat(line).matches("berth_agent_containers\\{state=\"running\"\\} 1\\.0"))
                .anySatisfy(line -> assertThat(line).matches("berth_agent_containers\\{state=\"created\"\\} 1\\.0"))
                .anySatisfy(line -> assertThat(line).matches("berth_agent_containers\\{state=\"stopped\"\\} 0\\.0"));
    }
}
