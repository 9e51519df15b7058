package dev.berth.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.agent.spec.RestartPolicy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestartRulesTest {

    private static final ManagerSettings SETTINGS = new ManagerSettings(Path.of("/tmp"), 100, 100, 1000, 10_000, 1, 1);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void policiesDecide() {
        RestartPolicy onFailure2 = new RestartPolicy(RestartPolicy.Kind.ON_FAILURE, 2);
        RestartPolicy always = new RestartPolicy(RestartPolicy.Kind.ALWAYS, 0);
        assertThat(RestartRules.shouldRestart(onFailure2, exited(1, 0, false))).isTrue();
        assertThat(RestartRules.shouldRestart(onFailure2, exited(1, 2, false))).isFalse();
        assertThat(RestartRules.shouldRestart(onFailure2, exited(0, 0, false))).isFalse();
        assertThat(RestartRules.shouldRestart(new RestartPolicy(RestartPolicy.Kind.ON_FAILURE, 0), exited(1, 99, false)))
                .isTrue();
        assertThat(RestartRules.shouldRestart(always, exited(0, 50, false))).isTrue();
        assertThat(RestartRules.shouldRestart(always, exited(0, 0, true))).isFalse();
        assertThat(RestartRules.shouldRestart(RestartPolicy.NO, exited(1, 0, false))).isFalse();
    }

    @Test
    void backoffDoublesUpToTheCapAndResetsAfterALongRun() {
        assertThat(RestartRules.delayMillis(0, SETTINGS)).isEqualTo(100);
        assertThat(RestartRules.delayMillis(1, SETTINGS)).isEqualTo(200);
        assertThat(RestartRules.delayMillis(3, SETTINGS)).isEqualTo(800);
        assertThat(RestartRules.delayMillis(4, SETTINGS)).isEqualTo(1000);
        assertThat(RestartRules.delayMillis(60, SETTINGS)).isEqualTo(1000);
        ContainerStatus quick = withRun(exited(1, 3, false), 5, 1_000);
        ContainerStatus longRun = withRun(exited(1, 3, false), 5, 60_000);
        assertThat(RestartRules.step(quick, SETTINGS)).isEqualTo(5);
        assertThat(RestartRules.step(longRun, SETTINGS)).isZero();
    }

    private static ContainerStatus exited(int code, int restarts, boolean stopRequested) {
        return new ContainerStatus("id", "name", ContainerState.STOPPED, null, "SIGTERM", Map.of(), 0, code, false,
                T0, T0, T0, restarts, stopRequested, 0, null);
    }

    private static ContainerStatus withRun(ContainerStatus s, int step, long ranMillis) {
        return new ContainerStatus(s.id(), s.name(), s.state(), null, "SIGTERM", Map.of(), 0, s.exitCode(), false,
                T0, T0, T0.plusMillis(ranMillis), s.restartCount(), false, step, null);
    }
}
