package dev.berth.clients;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.berth.testing.HostCommand;
import dev.berth.testing.HostTools;
import dev.berth.testing.RegistryAddress;

/** The skopeo invocations the tests use; registries here are plain HTTP on loopback. */
final class Skopeo {

    private final Path skopeo;
    /** The registry under test; its credentials go with every docker:// reference on it. */
    private final RegistryAddress registry;

    private Skopeo(Path skopeo, RegistryAddress registry) {
        this.skopeo = skopeo;
        this.registry = registry;
    }

    static Skopeo require() {
        return new Skopeo(HostTools.require("skopeo"), null);
    }

    /** Skopeo logging in to {@code registry} when it has credentials (Berth with authentication). */
    static Skopeo require(RegistryAddress registry) {
        return new Skopeo(HostTools.require("skopeo"), registry);
    }

    static String oci(Path layout, String tag) {
        return "oci:" + layout + ":" + tag;
    }

    static String docker(String reference) {
        return "docker://" + reference;
    }

    /** Copies one image (or, with {@code all}, an index and every child) and fails on any error. */
    void copy(String source, String destination, boolean all) {
        List<String> command = new ArrayList<>(List.of(skopeo.toString(), "--insecure-policy", "copy",
                "--src-tls-verify=false", "--dest-tls-verify=false"));
        if (all) {
            command.add("--all");
        }
        credentials(source).ifPresent(c -> command.addAll(List.of("--src-creds", c)));
        credentials(destination).ifPresent(c -> command.addAll(List.of("--dest-creds", c)));
        command.add(source);
        command.add(destination);
        HostCommand.of(command).runOk();
    }

    /** The digest of the manifest exactly as the registry serves it. */
    String rawManifestDigest(String reference) {
        byte[] raw = rawManifest(reference);
        return OciLayout.sha256(raw);
    }

    byte[] rawManifest(String reference) {
        List<String> command = new ArrayList<>(List.of(skopeo.toString(), "--insecure-policy", "inspect", "--raw",
                "--tls-verify=false"));
        credentials(docker(reference)).ifPresent(c -> command.addAll(List.of("--creds", c)));
        command.add(docker(reference));
        return HostCommand.of(command).runOk().stdoutBytes();
    }

    private Optional<String> credentials(String reference) {
        if (registry == null || registry.username() == null || !reference.startsWith(docker(registry.hostPort() + "/"))) {
            return Optional.empty();
        }
        return Optional.of(registry.username() + ":" + registry.password());
    }
}
