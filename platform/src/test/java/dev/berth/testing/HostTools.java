package dev.berth.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the host tools end-to-end tests drive (skopeo, umoci, docker, ...).
 * A missing tool skips the test on a developer machine, but fails it when {@code CI=true}:
 * CI has to prove everything, so a silent skip there would hide a broken setup.
 */
public final class HostTools {

    // Daemons and runtimes live in sbin, which a non-root PATH often lacks.
    private static final List<String> EXTRA_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

    private HostTools() {
    }

    /** Returns the tool's path, or ends the test (skip, or failure on CI) with the reason printed. */
    public static Path require(String tool) {
        return find(tool).orElseGet(() -> unavailable(
                "host tool '" + tool + "' not found on PATH (" + System.getenv("PATH") + ")"));
    }

    public static Optional<Path> find(String tool) {
        for (String dir : searchPath()) {
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** True when running in CI, where every test must run. */
    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Ends the current test because something on the host is unavailable: an assumption failure
     * (skip) normally, a test failure when {@code CI=true}. Declared to return a value so callers
     * can use it in expressions; it never returns.
     */
    public static <T> T unavailable(String reason) {
        if (onCi()) {
            Assertions.fail(reason + " (CI=true, so this is a failure, not a skip)");
        }
        System.err.println("SKIPPED: " + reason);
        return Assumptions.abort(reason);
    }

    private static List<String> searchPath() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    dirs.add(dir);
                }
            }
        }
        for (String dir : EXTRA_DIRS) {
            if (!dirs.contains(dir)) {
                dirs.add(dir);
            }
        }
        return dirs;
    }
}
