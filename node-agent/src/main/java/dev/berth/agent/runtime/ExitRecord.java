package dev.berth.agent.runtime;

/**
 * How a container's process ended, from conmon's files.
 *
 * @param code      exit status; 128 + n when killed by signal n
 * @param oomKilled the kernel's OOM killer fired in the container's cgroup
 */
public record ExitRecord(int code, boolean oomKilled) {
}
