package dev.berth.agent.runtime;

import java.nio.file.Path;

/**
 * Where the runtime tools are and where they keep their state.
 *
 * @param runc       the runc executable
 * @param conmon     the conmon executable
 * @param runcRoot   runc's {@code --root}: its state of every container this agent runs (nothing else may use it)
 * @param socketDir  conmon's {@code --socket-dir-path} (attach sockets; must exist)
 * @param logSizeMax conmon's {@code --log-size-max} in bytes: the hard cap at which conmon truncates a log itself
 */
public record RuntimeSettings(Path runc, Path conmon, Path runcRoot, Path socketDir, long logSizeMax) {
}
