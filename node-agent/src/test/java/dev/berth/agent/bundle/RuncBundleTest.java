package dev.berth.agent.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.agent.image.ImageStore;
import dev.berth.agent.rootfs.ContainerRootfs;
import dev.berth.agent.rootfs.RootfsMode;
import dev.berth.agent.spec.ContainerSpec;
import dev.berth.agent.spec.Resources;
import dev.berth.infra.TestImages;
import dev.berth.infra.DistributionServer;
import dev.berth.infra.HostCommand;
import dev.berth.infra.HostTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bundles the factory writes, run by real runc (as root) on both rootfs paths. */
class RuncBundleTest {

    @TempDir
    static Path shared;
    static DistributionServer registry;
    static String image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pushImage() throws Exception {
        registry = DistributionServer.start(Files.createDirectories(shared.resolve("registry")));
        Path layout = shared.resolve("layout");
        Path rootfs = TestImages.busyboxRootfs(shared.resolve("rootfs"), Map.of(
                "etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
                "etc/group", "root:x:0:\napp:x:1000:\nextra:x:2000:app\n"));
        TestImages.umociImage(layout, "app", rootfs, "--config.user", "app",
                "--config.entrypoint", "/bin/sh", "--config.entrypoint", "-c",
                "--config.cmd", "echo hello; id -u; id -G; pwd; cat /etc/hostname",
                "--config.workingdir", "/tmp");
        image = registry.address() + "/runc/app:1";
        TestImages.push(layout, "app", image);
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @ParameterizedTest
    @EnumSource(RootfsMode.class)
    void runcRunsTheBundleAsTheImagesUser(RootfsMode mode) throws Exception {
        String runc = HostTools.require("runc").toString();
        ContainerRootfsTestSupport.requireRoot();
        ImageStore store = ImageStore.open(tmp.resolve("state"), ImageStore.Options.DEFAULT);
        ImageBundleFactory factory = new ImageBundleFactory(store, new ContainerRootfs(mode));
        String id = "berth-test-" + UUID.randomUUID().toString().substring(0, 8);
        Path bundle = tmp.resolve("bundle");
        factory.create(id, new ContainerSpec(null, image, null, null, null, null, null, null,
                new Resources(0.5, 64L << 20, 64L), null, null, null), bundle);
        try {
            HostCommand.Result run = HostCommand.run(List.of(runc, "run", "--bundle", bundle.toString(), id),
                    Duration.ofMinutes(1));
            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.stdout().lines().toList())
                    .containsExactly("hello", "1000", "1000 2000", "/tmp", id.substring(0, 12));
        } finally {
            HostCommand.run(List.of(runc, "delete", "-f", id), Duration.ofMinutes(1));
            factory.destroy(id, bundle);
        }
        assertThat(bundle).doesNotExist();
    }
}
