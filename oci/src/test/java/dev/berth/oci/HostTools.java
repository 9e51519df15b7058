package dev.berth.oci;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Host programs the tests drive. A missing one skips the test with the reason, except under
 * {@code CI=true}, where a skip would hide an untested path: there it fails.
 */
public final class HostTools {

    private HostTools() {
    }

    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        String reason = what + " is not installed on this host";
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + " (CI=true: skipping is not allowed)");
        }
        System.err.println("SKIPPED: " + reason);
        assumeTrue(false, reason);
    }

    /** The executable on PATH (or in /usr/sbin, /sbin), skipping or failing the test when absent. */
    public static Path executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        require(false, name);
        throw new AssertionError("unreachable");
    }
}
