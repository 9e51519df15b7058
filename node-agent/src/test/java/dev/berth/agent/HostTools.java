package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host programs the runtime tests drive (runc, conmon, a static busybox) and root. Missing ones skip the
 * test with the reason, except under {@code CI=true}, where a skip would hide an untested path: there it fails.
 */
public final class HostTools {

    public static final Path RUNC = Path.of("/usr/sbin/runc");
    public static final Path CONMON = Path.of("/usr/bin/conmon");
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private HostTools() {
    }

    public static void requireRuntime() {
        require(Files.isExecutable(RUNC), "runc (Debian package runc) at " + RUNC);
        require(Files.isExecutable(CONMON), "conmon (Debian package conmon) at " + CONMON);
        require(Files.isExecutable(BUSYBOX), "a static busybox (Debian package busybox-static) at " + BUSYBOX);
        require("root".equals(System.getProperty("user.name")), "root (runc needs it to create containers)");
    }

    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        String reason = what + " is not available on this host";
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + " (CI=true: skipping is not allowed)");
        }
        System.err.println("SKIPPED: " + reason);
        assumeTrue(false, reason);
    }
}
