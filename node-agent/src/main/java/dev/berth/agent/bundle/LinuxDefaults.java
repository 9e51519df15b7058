package dev.berth.agent.bundle;

import java.util.List;

/**
 * The secure defaults every container gets, the same as containerd's generated specs: the capabilities,
 * masked and read-only paths and system mounts below. Nothing here comes from the image.
 */
final class LinuxDefaults {

    private LinuxDefaults() {
    }

    static final String OCI_VERSION = "1.0.2";

    /** containerd's default capability set (bounding, effective and permitted; inheritable and ambient empty). */
    static final List<String> CAPABILITIES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
            "CAP_KILL", "CAP_AUDIT_WRITE");

    /** Hidden from the container (bind-mounted over with /dev/null or an empty tmpfs by the runtime). */
    static final List<String> MASKED_PATHS = List.of(
            "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /**
     * Namespaces a container gets of its own. Not network: there is no CNI yet, so containers share the
     * host's network (documented in the README).
     */
    static final List<String> NAMESPACES = List.of("pid", "ipc", "uts", "mount");

    static final long NOFILE_LIMIT = 1024;

    /** A system mount: destination, type, source, options. */
    record SystemMount(String destination, String type, String source, List<String> options) {
    }

    static final List<SystemMount> SYSTEM_MOUNTS = List.of(
            new SystemMount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
            new SystemMount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
            new SystemMount("/dev/pts", "devpts", "devpts",
                    List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
            new SystemMount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
            new SystemMount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
            new SystemMount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
            new SystemMount("/run", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
}
