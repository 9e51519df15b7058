package dev.berth.agent.bundle;

import dev.berth.agent.spec.ContainerSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The {@code process} fields conversion.md derives from the image, with the caller's overrides applied. */
public final class ProcessConversion {

    /** What containerd and Docker put in PATH when neither the image nor the caller sets one. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** {@code /proc/self/fd/N}, {@code /proc/thread-self/fd}, {@code /proc/123/fd}: a cwd there is a leaked host fd. */
    private static final Pattern PROC_FD = Pattern.compile("/proc/(?:self|thread-self|[0-9]+)(?:/task/[0-9]+)?/fd(?:/.*)?");

    private ProcessConversion() {
    }

    /**
     * Entrypoint + Cmd. The caller's entrypoint replaces the image's and drops its Cmd; the caller's
     * args replace Cmd.
     */
    public static List<String> args(ImageRuntimeConfig image, ContainerSpec spec) throws BundleException {
        List<String> entrypoint = spec.entrypoint() != null ? spec.entrypoint() : orEmpty(image.entrypoint());
        List<String> cmd = spec.args() != null ? spec.args()
                : spec.entrypoint() != null ? List.of() : orEmpty(image.cmd());
        List<String> args = new ArrayList<>(entrypoint);
        args.addAll(cmd);
        if (args.isEmpty()) {
            throw new BundleException("NO_COMMAND",
                    "nothing to run: the image has no Entrypoint or Cmd and the request gives none");
        }
        for (String arg : args) {
            if (arg.indexOf('\0') >= 0) {
                throw new BundleException("INVALID_ARGS", "an argument contains a NUL byte");
            }
        }
        return args;
    }

    /**
     * The image's Env with the caller's variables merged in by name: an image variable the caller sets
     * keeps its place with the caller's value, new ones follow in name order. PATH gets a default when
     * neither sets it.
     */
    public static List<String> env(ImageRuntimeConfig image, ContainerSpec spec) throws BundleException {
        for (String name : spec.env().keySet()) {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new BundleException("INVALID_ENV", "invalid environment variable name \"" + name + "\"");
            }
            if (spec.env().get(name) == null || spec.env().get(name).indexOf('\0') >= 0) {
                throw new BundleException("INVALID_ENV", "environment variable " + name + " has no valid value");
            }
        }
        Map<String, String> merged = new LinkedHashMap<>();
        for (String entry : image.env()) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            merged.put(name, entry);
        }
        for (Map.Entry<String, String> e : new TreeMap<>(spec.env()).entrySet()) {
            merged.put(e.getKey(), e.getKey() + "=" + e.getValue());
        }
        merged.putIfAbsent("PATH", "PATH=" + DEFAULT_PATH);
        return new ArrayList<>(merged.values());
    }

    /** The caller's working dir, else the image's, else {@code /}; absolute and cleaned. */
    public static String workingDir(ImageRuntimeConfig image, ContainerSpec spec) throws BundleException {
        String raw = spec.workingDir() != null ? spec.workingDir()
                : image.workingDir() == null || image.workingDir().isEmpty() ? "/" : image.workingDir();
        return cleanWorkingDir(raw);
    }

    /** Absolute, cleaned ({@code /a/./b/../c} is {@code /a/c}), and not under a process's fd directory. */
    public static String cleanWorkingDir(String raw) throws BundleException {
        if (!raw.startsWith("/")) {
            throw new BundleException("INVALID_WORKING_DIR", "working dir \"" + raw + "\" must be an absolute path");
        }
        if (raw.indexOf('\0') >= 0) {
            throw new BundleException("INVALID_WORKING_DIR", "working dir contains a NUL byte");
        }
        String clean = cleanPath(raw);
        if (PROC_FD.matcher(clean).matches()) {
            throw new BundleException("INVALID_WORKING_DIR",
                    "working dir \"" + raw + "\" is under a process's fd directory, which would expose host files");
        }
        return clean;
    }

    /** Lexical cleaning of an absolute path: no empty, {@code .} or {@code ..} components; {@code ..} stops at the root. */
    static String cleanPath(String absolute) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : absolute.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }
}
