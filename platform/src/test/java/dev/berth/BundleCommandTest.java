package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.DistributionServer;
import dev.berth.infra.HostCommand;
import dev.berth.infra.HostTools;
import dev.berth.infra.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code berth bundle} writes a bundle from a pushed image that real runc runs to completion. */
class BundleCommandTest {

    @TempDir
    Path tmp;

    @Test
    void runcRunsTheBundleBerthWrote() throws Exception {
        String runc = HostTools.require("runc").toString();
        if (!"root".equals(System.getProperty("user.name"))) {
            HostTools.unavailable("runc run needs root");
        }
        try (DistributionServer registry = DistributionServer.start(Files.createDirectories(tmp.resolve("registry")))) {
            Path layout = tmp.resolve("layout");
            Path rootfs = TestImages.busyboxRootfs(tmp.resolve("rootfs"), Map.of());
            TestImages.umociImage(layout, "hello", rootfs, "--config.cmd", "/bin/true");
            String image = registry.address() + "/cli/hello:1";
            TestImages.push(layout, "hello", image);
            Path out = tmp.resolve("bundle");

            int exit = new CommandLine(new Main()).execute("bundle", "--image", image, "--out", out.toString(),
                    "--state", tmp.resolve("state").toString(), "--env", "GREETING=hello", "--user", "1234:5678",
                    "--insecure-registry", "10.255.255.1:5000",
                    "--", "/bin/sh", "-c", "echo $GREETING from berth; id -u");

            assertThat(exit).isZero();
            assertThat(out.resolve("config.json")).isRegularFile();
            String id = "berth-bundle-" + UUID.randomUUID().toString().substring(0, 8);
            try {
                HostCommand.Result run = HostCommand.run(List.of(runc, "run", "--bundle", out.toString(), id),
                        Duration.ofMinutes(1));
                assertThat(run.exitCode()).as(run.describe()).isZero();
                assertThat(run.stdout().lines().toList()).containsExactly("hello from berth", "1234");
            } finally {
                HostCommand.run(List.of(runc, "delete", "-f", id), Duration.ofMinutes(1));
            }
        }
    }

    @Test
    void aBadReferenceIsAClearErrorAndWritesNothing() {
        Path out = tmp.resolve("never");
        int exit = new CommandLine(new Main()).execute("bundle", "--image", "not-a-reference", "--out", out.toString(),
                "--state", tmp.resolve("state").toString());
        assertThat(exit).isEqualTo(1);
        assertThat(out).doesNotExist();
    }
}
