package dev.berth.agent.containers;

import java.nio.file.Path;

/**
 * @param stateDir           the agent's state; containers live in {@code <stateDir>/containers/<id>/}
 * @param superviseMillis    how often exit files and log sizes are checked
 * @param backoffInitialMillis first restart delay; it doubles with every quick failure
 * @param backoffCapMillis   longest restart delay
 * @param backoffResetMillis a run at least this long resets the delay to the initial one
 * @param logRotateBytes     a log larger than this is rotated
 * @param logKeep            rotated log files kept ({@code container.log.1} .. {@code .N})
 */
public record ManagerSettings(Path stateDir, long superviseMillis, long backoffInitialMillis, long backoffCapMillis,
                              long backoffResetMillis, long logRotateBytes, int logKeep) {

    public Path containersDir() {
        return stateDir.resolve("containers");
    }
}
