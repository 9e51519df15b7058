package dev.berth.agent.containers;

import dev.berth.agent.spec.RestartPolicy;
import java.time.Duration;

/** When the restart policy restarts an exited container, and after how long. */
final class RestartRules {

    private RestartRules() {
    }

    static boolean shouldRestart(RestartPolicy policy, ContainerStatus status) {
        if (status.stopRequested() || status.state() != ContainerState.STOPPED) {
            return false;
        }
        return switch (policy.kind()) {
            case NO -> false;
            case ALWAYS -> true;
            case ON_FAILURE -> status.exitCode() == null || status.exitCode() != 0
                    ? policy.maxRetries() == 0 || status.restartCount() < policy.maxRetries()
                    : false;
        };
    }

    /** The backoff exponent for this restart: 0 again when the last run lasted long enough. */
    static int step(ContainerStatus status, ManagerSettings settings) {
        if (status.startedAt() != null && status.finishedAt() != null
                && Duration.between(status.startedAt(), status.finishedAt()).toMillis() >= settings.backoffResetMillis()) {
            return 0;
        }
        return status.backoffStep();
    }

    static long delayMillis(int step, ManagerSettings settings) {
        long delay = settings.backoffInitialMillis();
        for (int i = 0; i < step && delay < settings.backoffCapMillis(); i++) {
            delay *= 2;
        }
        return Math.min(delay, settings.backoffCapMillis());
    }
}
