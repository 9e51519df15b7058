package dev.berth.agent.runtime;

import java.nio.file.Path;

/**
 * Where the runtime tools are and where they keep their state.
 *
 * @param runc       the runc executable
 * @param conmon     the conmon executable
 * @param runcRoot   runc's {@code --root}: its state of every container this agent runs (nothing else may use it)
 * @param socketDir  conmon's {@code --socket-dir-path} (attach sockets; must exist)
 * @param logSizeMax conmon's {@code --log-size-max} in bytes, or 0 to leave it unset. conmon counts bytes since
 *                   its own last truncation (a reopen the agent asks for does not reset the count) and then
 *                   replaces the live log with an empty one, discarding lines not yet rotated: the agent's
 *                   rotation is the cap, this is at most a last resort far above it
 */
public record RuntimeSettings(Path runc, Path conmon, Path runcRoot, Path socketDir, long logSizeMax) {
}
