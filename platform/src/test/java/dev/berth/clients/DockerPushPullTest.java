package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.berth.testing.DockerDaemon;
import dev.berth.testing.HostCommand;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Docker engine pushes an image to the registry and pulls the same image back. */
@ExtendWith(RegistryUnderTest.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DockerPushPullTest {

    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64})");
    private static final Pattern PULLED_DIGEST = Pattern.compile("Digest: (sha256:[0-9a-f]{64})");

    @TempDir
    Path work;

    @Test
    void pushedImageIsPulledBackWithTheSameIdAndDigest(RegistryAddress registry) {
        String docker = DockerDaemon.ensureRunning().toString();
        Path rootfs = BusyboxImages.rootfsTar(work);
        // Unique names: the engine's image store outlives this run and may be shared with other runs.
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String local = "berth-clients-test/busybox:" + suffix;
        String repository = registry.reference("clients/docker-busybox");
        String remote = repository + ":" + suffix;
        // A config dir of this test's own: the login must not touch the user's ~/.docker.
        String config = work.resolve("docker-config").toString();
        try {
            if (registry.authenticated()) {
                HostCommand.of(docker, "--config", config, "login", registry.hostPort(),
                        "-u", registry.username(), "-p", registry.password()).runOk();
            }
            HostCommand.of(docker, "import", rootfs.toString(), local).runOk();
            HostCommand.of(docker, "tag", local, remote).runOk();
            String imageId = imageId(docker, remote);

            String pushOutput = HostCommand.of(docker, "--config", config, "push", remote).runOk().stdout();
            String pushedDigest = find(PUSHED_DIGEST, pushOutput);

            HostCommand.of(docker, "rmi", remote, local).runOk();
            assertThat(HostCommand.of(docker, "image", "inspect", remote).run().succeeded())
                    .as("image is gone locally before the pull").isFalse();

            String pullOutput = HostCommand.of(docker, "--config", config, "pull", remote).runOk().stdout();
            assertThat(find(PULLED_DIGEST, pullOutput)).as("digest docker pull reports").isEqualTo(pushedDigest);
            assertThat(imageId(docker, remote)).as("image id after the pull").isEqualTo(imageId);
            String repoDigests = HostCommand.of(docker, "image", "inspect", "--format",
                    "{{join .RepoDigests \",\"}}", remote).runOk().stdout().trim();
            assertThat(repoDigests.split(",")).contains(repository + "@" + pushedDigest);
        } finally {
            HostCommand.of(docker, "rmi", "--force", remote, local).run();
        }
    }

    private static String imageId(String docker, String image) {
        return HostCommand.of(docker, "image", "inspect", "--format", "{{.Id}}", image).runOk().stdout().trim();
    }

    private static String find(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        assertThat(matcher.find()).as("'%s' in:\n%s", pattern, output).isTrue();
        return matcher.group(1);
    }
}
