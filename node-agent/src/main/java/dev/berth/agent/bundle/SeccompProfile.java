package dev.berth.agent.bundle;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The agent's default seccomp filter ({@code linux.seccomp}): every system call is allowed except those a
 * container has no business making, which fail with {@code EPERM} (runc's errno for {@code SCMP_ACT_ERRNO}).
 * A deny list and not Docker's allow list: it cannot break a program that makes an ordinary call the list's
 * author did not foresee, and it closes what capabilities alone leave open to an unprivileged container
 * (creating user namespaces, io_uring, BPF, perf events, the kernel keyring, reading the kernel log where
 * {@code dmesg_restrict} is off, ...). A spec's {@code "seccomp": "unconfined"} turns it off.
 */
final class SeccompProfile {

    private SeccompProfile() {
    }

    /** Denied, grouped by what they reach. Names unknown on an architecture are skipped by runc. */
    static final List<String> DENIED = List.of(
            // kernel code and the machine
            "init_module", "finit_module", "delete_module", "create_module", "get_kernel_syms", "query_module",
            "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "iopl", "ioperm", "uselib",
            // setting the host's clock (reading it, adjtimex and clock_adjtime without modes, stays allowed),
            // accounting, quotas, the kernel log, obsolete interfaces
            "settimeofday", "clock_settime", "stime", "acct", "quotactl", "quotactl_fd", "syslog",
            "nfsservctl", "lookup_dcookie", "_sysctl", "vm86", "vm86old",
            // kernel attack surface an ordinary program does not need
            "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
            "add_key", "request_key", "keyctl", "open_by_handle_at", "name_to_handle_at",
            // new namespaces and mounts (the container's own are set up by runc before the filter applies)
            "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen",
            "fsconfig", "fsmount", "fspick", "mount_setattr");

    /** The filter's architectures: the host's own and the 32-bit ones its kernel also runs. */
    static List<String> architectures(String osArch) {
        return switch (osArch) {
            case "amd64", "x86_64" -> List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
            case "aarch64", "arm64" -> List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
            default -> List.of();
        };
    }

    static ObjectNode json(JsonNodeFactory factory, String osArch) {
        ObjectNode seccomp = factory.objectNode().put("defaultAction", "SCMP_ACT_ALLOW");
        List<String> archs = architectures(osArch);
        if (!archs.isEmpty()) {
            ArrayNode array = seccomp.putArray("architectures");
            archs.forEach(array::add);
        }
        ObjectNode denied = seccomp.putArray("syscalls").addObject();
        ArrayNode names = denied.putArray("names");
        DENIED.forEach(names::add);
        denied.put("action", "SCMP_ACT_ERRNO");
        return seccomp;
    }
}
