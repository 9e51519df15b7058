package dev.berth.infra;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Host programs tests drive (skopeo, umoci, runc, docker-registry, ...). A missing one skips the test
 * with the reason printed, except under {@code CI=true}: CI has to prove everything, so there it fails.
 */
public final class HostTools {

    private HostTools() {
    }

    /** True when running in CI, where every test must run. */
    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The tool on PATH or in an sbin directory; otherwise the test is skipped (or fails on CI). */
    public static Path require(String tool) {
        return find(tool).orElseGet(() -> unavailable("host tool '" + tool + "' is not installed"));
    }

    public static Optional<Path> find(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/local/sbin:/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Ends the test because something on the host is missing: a skip, or a failure when {@code CI=true}. */
    public static <T> T unavailable(String reason) {
        if (onCi()) {
            Assertions.fail(reason + " (CI=true: skipping is not allowed)");
        }
        System.err.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
        throw new AssertionError("unreachable");
    }
}
