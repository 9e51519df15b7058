package dev.berth.oci.client;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Descriptor.Platform;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Picks the manifest for a platform out of an index, using the OCI names for operating systems and
 * architectures (Go's GOOS/GOARCH: linux, amd64, arm64, ...).
 */
public final class PlatformSelector {

    private PlatformSelector() {
    }

    /** The platform this JVM runs on. */
    public static Platform host() {
        return fromJava(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /** Maps Java's {@code os.name} and {@code os.arch} to OCI platform names. */
    public static Platform fromJava(String osName, String osArch) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os = name.startsWith("windows") ? "windows"
                : name.startsWith("mac") || name.startsWith("darwin") ? "darwin"
                : name.replace(" ", "");
        String arch = osArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> new Platform(os, "amd64", null);
            case "aarch64", "arm64" -> new Platform(os, "arm64", null);
            case "x86", "i386", "i486", "i586", "i686" -> new Platform(os, "386", null);
            // Java does not say which ARM revision; v7 is what 32-bit Linux distributions target.
            case "arm", "arm32", "armv7l", "armhf" -> new Platform(os, "arm", "v7");
            case "ppc64le", "s390x", "riscv64", "mips64le", "loong64" -> new Platform(os, arch, null);
            default -> new Platform(os, arch, null);
        };
    }

    /**
     * The best entry for {@code wanted}: same os and architecture; the same variant if there is one,
     * else an entry without a variant, else (for arm) the newest older variant the CPU can still run.
     */
    public static Optional<Descriptor> select(List<Descriptor> manifests, Platform wanted) {
        return manifests.stream()
                .filter(d -> d.platform() != null)
                .filter(d -> d.platform().os().equals(wanted.os())
                        && d.platform().architecture().equals(wanted.architecture()))
                .filter(d -> rank(d.platform(), wanted) >= 0)
                .max(Comparator.comparingInt(d -> rank(d.platform(), wanted)));
    }

    /** Human-readable list of what an index offers, for errors. */
    public static String describe(List<Descriptor> manifests) {
        return manifests.stream()
                .map(d -> d.platform() == null ? "(no platform)" : format(d.platform()))
                .collect(Collectors.joining(", "));
    }

    public static String format(Platform p) {
        return p.os() + "/" + p.architecture() + (p.variant() == null ? "" : "/" + p.variant());
    }

    /** Higher is better, negative is unusable. Stable order among equals keeps the index's first. */
    private static int rank(Platform candidate, Platform wanted) {
        String have = normalVariant(candidate);
        String want = normalVariant(wanted);
        if (have == null) {
            return 1;
        }
        if (have.equals(want)) {
            return 1000;
        }
        if (want != null && candidate.architecture().equals("arm")) {
            int h = armLevel(have);
            int w = armLevel(want);
            return h > 0 && h < w ? 10 + h : -1;
        }
        return want == null ? 0 : -1;
    }

    /** arm64 "v8" and amd64 "v1" are the baseline, the same as no variant at all. */
    private static String normalVariant(Platform p) {
        String v = p.variant();
        if (v == null || v.isEmpty()
                || (p.architecture().equals("arm64") && v.equals("v8"))
                || (p.architecture().equals("amd64") && v.equals("v1"))) {
            return null;
        }
        return v;
    }

    private static int armLevel(String variant) {
        return switch (variant) {
            case "v5" -> 5;
            case "v6" -> 6;
            case "v7" -> 7;
            case "v8" -> 8;
            default -> 0;
        };
    }
}
