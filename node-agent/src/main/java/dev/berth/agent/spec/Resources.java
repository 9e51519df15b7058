package dev.berth.agent.spec;

/**
 * cgroup limits of a container; a null field means unlimited.
 *
 * @param cpus        CPU quota in cores (0.5 = half a core), written as cpu quota/period
 * @param memoryBytes memory limit in bytes (swap limited to the same value)
 * @param pids        maximum number of processes
 */
public record Resources(Double cpus, Long memoryBytes, Long pids) {
    public static final Resources UNLIMITED = new Resources(null, null, null);
}
