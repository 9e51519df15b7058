package dev.berth.clients;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.berth.testing.HostCommand;
import dev.berth.testing.HostTools;

/** The skopeo invocations the tests use; registries here are plain HTTP on loopback. */
final class Skopeo {

    private final Path skopeo;

    private Skopeo(Path skopeo) {
        this.skopeo = skopeo;
    }

    static Skopeo require() {
        return new Skopeo(HostTools.require("skopeo"));
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
        return HostCommand.of(skopeo.toString(), "--insecure-policy", "inspect", "--raw", "--tls-verify=false",
                docker(reference)).runOk().stdoutBytes();
    }
}
