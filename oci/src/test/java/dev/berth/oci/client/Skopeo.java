package dev.berth.oci.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.HostTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Pushes test images with a real client, so the client under test never grades its own pushes. */
final class Skopeo {

    private Skopeo() {
    }

    /** {@code skopeo copy --all oci:LAYOUT:TAG docker://DEST} over plain HTTP, plus any extra flags. */
    static void push(Path layout, String tag, String destination, String... extra) throws Exception {
        Path skopeo = HostTools.executable("skopeo");
        List<String> command = new ArrayList<>(List.of(skopeo.toString(), "--insecure-policy", "copy", "--all", "--dest-tls-verify=false"));
        command.addAll(List.of(extra));
        command.add("oci:" + layout + ":" + tag);
        command.add("docker://" + destination);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s\n%s", command, output).isZero();
    }
}
