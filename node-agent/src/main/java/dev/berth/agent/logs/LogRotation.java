package dev.berth.agent.logs;

import dev.berth.agent.runtime.ConmonRuntime;
import dev.berth.agent.runtime.RunFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Rotates a container's log: {@code container.log} becomes {@code container.log.1} (older ones shift up, the
 * oldest beyond {@code keep} is deleted) and conmon is told to reopen its log path, so it starts a fresh file.
 * Lines conmon writes between the rename and the reopen land at the end of {@code .1}: nothing is lost.
 * conmon's own {@code --log-size-max} is not used for this (see {@code RuntimeSettings#logSizeMax}); while the
 * agent is down the live log grows, and the first check after the agent returns rotates it.
 */
public final class LogRotation {

    private LogRotation() {
    }

    /** Rotates when the live log exceeds {@code maxBytes}; returns whether it did. Blocks. */
    public static boolean rotateIfLarger(RunFiles files, long maxBytes, int keep, ConmonRuntime runtime)
            throws IOException {
        Path log = files.logFile();
        if (!Files.exists(log) || Files.size(log) <= maxBytes || !runtime.conmonAlive(files)) {
            return false;
        }
        Files.deleteIfExists(rotated(log, keep));
        for (int i = keep - 1; i >= 1; i--) {
            Path from = rotated(log, i);
            if (Files.exists(from)) {
                Files.move(from, rotated(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(log, rotated(log, 1), StandardCopyOption.REPLACE_EXISTING);
        runtime.reopenLog(files);
        return true;
    }

    /** The log files of a container, oldest first (rotated ones, then the live one). */
    public static List<Path> filesOldestFirst(Path log, int keep) {
        List<Path> out = new ArrayList<>();
        for (int i = keep; i >= 1; i--) {
            Path p = rotated(log, i);
            if (Files.exists(p)) {
                out.add(p);
            }
        }
        if (Files.exists(log)) {
            out.add(log);
        }
        return out;
    }

    static Path rotated(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }
}
