package dev.berth.agent.runtime;

import java.time.Instant;

/**
 * How a container's process ended, from conmon's files.
 *
 * @param code      exit status; 128 + n when killed by signal n
 * @param oomKilled the kernel's OOM killer fired in the container's cgroup
 * @param at        when conmon wrote the exit file (an exit may be found long after, e.g. by a restarted agent)
 */
public record ExitRecord(int code, boolean oomKilled, Instant at) {
}
