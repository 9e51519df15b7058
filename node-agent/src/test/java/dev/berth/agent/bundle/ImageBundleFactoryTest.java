package dev.berth.agent.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.agent.image.ImageStore;
import dev.berth.agent.image.StoredImage;
import dev.berth.agent.rootfs.ContainerRootfs;
import dev.berth.agent.rootfs.RootfsMode;
import dev.berth.agent.spec.ContainerSpec;
import dev.berth.agent.spec.Hook;
import dev.berth.agent.spec.Hooks;
import dev.berth.agent.spec.Resources;
import dev.berth.agent.spec.VolumeMount;
import dev.berth.agent.testing.RuntimeSchema;
import dev.berth.infra.TestImages;
import dev.berth.infra.DistributionServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles from a real image (umoci, skopeo, distribution), checked field by field and against the runtime-spec schema. */
class ImageBundleFactoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    static DistributionServer registry;
    static String image;

    @TempDir
    Path tmp;
    ImageStore store;
    ImageBundleFactory factory;

    @BeforeAll
    static void pushImage() throws Exception {
        registry = DistributionServer.start(Files.createDirectories(shared.resolve("registry")));
        Path layout = shared.resolve("layout");
        Path rootfs = TestImages.busyboxRootfs(shared.resolve("rootfs"), Map.of(
                "etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
                "etc/group", "root:x:0:\napp:x:1000:\nextra:x:2000:app\n",
                "data/seed.txt", "seeded\n"));
        TestImages.umociImage(layout, "app", rootfs,
                "--config.user", "app",
                "--config.entrypoint", "/bin/sh", "--config.entrypoint", "-c",
                "--config.cmd", "echo hello",
                "--config.env", "FOO=image", "--config.env", "PATH=/bin",
                "--config.workingdir", "/srv/../tmp",
                "--config.volume", "/data",
                "--config.stopsignal", "int",
                "--config.exposedports", "8080/tcp",
                "--config.label", "org.opencontainers.image.title=app",
                "--config.label", "team=berth");
        image = registry.address() + "/bundles/app:1.0";
        TestImages.push(layout, "app", image);
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void openStore() throws Exception {
        store = ImageStore.open(tmp.resolve("state"), ImageStore.Options.DEFAULT);
        factory = new ImageBundleFactory(store, new ContainerRootfs(RootfsMode.COPY));
    }

    static ContainerSpec spec(String user, Map<String, String> env, String workingDir, List<VolumeMount> volumes,
                              Resources resources, Hooks hooks, Map<String, String> labels) {
        return new ContainerSpec("c1", image, null, null, env, workingDir, user, volumes, resources, null, hooks, labels);
    }

    @Test
    void theImageIsPulledAndConvertedWithTheCallersOverrides() throws Exception {
        Path bundle = tmp.resolve("bundles/c1");
        Path hostDir = Files.createDirectories(tmp.resolve("host-dir"));
        Hook hook = new Hook("/bin/true", List.of("true", "x"), List.of("A=1"), 5);
        ContainerSpec spec = spec(null, Map.of("FOO", "caller", "NEW", "1"), null,
                List.of(new VolumeMount(hostDir.toString(), "/mnt/host", true), new VolumeMount(null, "/cache", false)),
                new Resources(0.5, 64L << 20, 100L), new Hooks(List.of(hook), List.of(hook), List.of(hook),
                        List.of(hook), List.of(hook)), Map.of("team", "caller", "dev.berth.app", "web"));
        assertThat(store.list()).isEmpty();

        PreparedBundle prepared = factory.create("0123456789abcdef", spec, bundle);

        StoredImage pulled = store.get(image).orElseThrow();
        assertThat(prepared).isEqualTo(new PreparedBundle(bundle, pulled.manifestDigest(), "SIGINT"));
        JsonNode config = JSON.readTree(bundle.resolve("config.json").toFile());
        assertThat(RuntimeSchema.violations(config)).isEmpty();
        // The schema check can fail: a broken copy of the same config does not pass.
        JsonNode broken = config.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("process").path("user")).put("uid", "app");
        assertThat(RuntimeSchema.violations(broken)).isNotEmpty();

        JsonNode process = config.path("process");
        assertThat(strings(process.path("args"))).containsExactly("/bin/sh", "-c", "echo hello");
        assertThat(strings(process.path("env"))).containsExactly("FOO=caller", "PATH=/bin", "NEW=1");
        assertThat(process.path("cwd").asText()).isEqualTo("/tmp");
        assertThat(process.path("user").path("uid").asLong()).isEqualTo(1000);
        assertThat(process.path("user").path("gid").asLong()).isEqualTo(1000);
        assertThat(strings(process.path("user").path("additionalGids"))).containsExactly("2000");
        assertThat(process.path("noNewPrivileges").asBoolean()).isTrue();
        assertThat(strings(process.path("capabilities").path("bounding"))).contains("CAP_CHOWN", "CAP_KILL")
                .doesNotContain("CAP_SYS_ADMIN");
        assertThat(config.path("hostname").asText()).isEqualTo("0123456789ab");
        assertThat(config.path("root").path("path").asText()).isEqualTo("rootfs");

        JsonNode annotations = config.path("annotations");
        assertThat(annotations.path("org.opencontainers.image.stopSignal").asText()).isEqualTo("int");
        assertThat(annotations.path("org.opencontainers.image.exposedPorts").asText()).isEqualTo("8080/tcp");
        assertThat(annotations.path("org.opencontainers.image.ref.name").asText()).isEqualTo("1.0");
        assertThat(annotations.path("org.opencontainers.image.title").asText()).isEqualTo("app");
        assertThat(annotations.path("org.opencontainers.image.os").asText()).isEqualTo("linux");
        assertThat(annotations.path("team").asText()).isEqualTo("caller");
        assertThat(annotations.path("dev.berth.app").asText()).isEqualTo("web");

        JsonNode linux = config.path("linux");
        assertThat(linux.path("namespaces").findValuesAsText("type")).containsExactly("pid", "ipc", "uts", "mount");
        assertThat(linux.path("resources").path("memory").path("limit").asLong()).isEqualTo(64L << 20);
        assertThat(linux.path("resources").path("memory").path("swap").asLong()).isEqualTo(64L << 20);
        assertThat(linux.path("resources").path("cpu").path("quota").asLong()).isEqualTo(50_000);
        assertThat(linux.path("resources").path("cpu").path("period").asLong()).isEqualTo(100_000);
        assertThat(linux.path("resources").path("pids").path("limit").asLong()).isEqualTo(100);
        assertThat(strings(linux.path("maskedPaths"))).contains("/proc/kcore", "/sys/firmware");
        assertThat(strings(linux.path("readonlyPaths"))).contains("/proc/sys", "/proc/sysrq-trigger");
        for (String point : List.of("createRuntime", "createContainer", "startContainer", "poststart", "poststop")) {
            assertThat(config.path("hooks").path(point).path(0).path("path").asText()).as(point).isEqualTo("/bin/true");
            assertThat(config.path("hooks").path(point).path(0).path("timeout").asInt()).isEqualTo(5);
        }

        Map<String, JsonNode> mounts = new java.util.HashMap<>();
        config.path("mounts").forEach(m -> mounts.put(m.path("destination").asText(), m));
        assertThat(mounts).containsKeys("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/etc/hosts",
                "/etc/hostname", "/data", "/cache", "/mnt/host");
        assertThat(strings(mounts.get("/sys").path("options"))).contains("ro");
        assertThat(strings(mounts.get("/mnt/host").path("options"))).contains("ro");
        assertThat(mounts.get("/mnt/host").path("source").asText()).isEqualTo(hostDir.toString());
        Path dataVolume = Path.of(mounts.get("/data").path("source").asText());
        assertThat(dataVolume).startsWith(bundle);
        assertThat(dataVolume.resolve("seed.txt")).hasContent("seeded");
        assertThat(bundle.resolve("rootfs/bin/busybox")).isRegularFile();
        assertThat(bundle.resolve("etc/hostname")).hasContent("0123456789ab");

        factory.destroy("0123456789abcdef", bundle);
        assertThat(bundle).doesNotExist();
    }

    @Test
    void everyUserFormOfTheCallerIsResolvedAgainstTheImage() throws Exception {
        String[][] cases = {{"app", "1000", "1000"}, {"0", "0", "0"}, {"app:extra", "1000", "2000"},
                {"77:88", "77", "88"}, {"root:app", "0", "1000"}};
        int n = 0;
        for (String[] c : cases) {
            Path bundle = tmp.resolve("bundles/user" + n++);
            factory.create("user" + n, spec(c[0], null, null, null, null, null, null), bundle);
            JsonNode user = JSON.readTree(bundle.resolve("config.json").toFile()).path("process").path("user");
            assertThat(user.path("uid").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(user.path("gid").asText()).as(c[0]).isEqualTo(c[2]);
            factory.destroy("user" + n, bundle);
        }
    }

    @Test
    void badInputFailsCleanlyAndLeavesNoBundle() throws Exception {
        Object[][] cases = {
                {spec("ghost", null, null, null, null, null, null), "INVALID_USER"},
                {spec(null, null, "/proc/self/fd/3", null, null, null, null), "INVALID_WORKING_DIR"},
                {spec(null, null, "relative/dir", null, null, null, null), "INVALID_WORKING_DIR"},
                {spec(null, Map.of("A=B", "x"), null, null, null, null, null), "INVALID_ENV"},
                {spec(null, null, null, List.of(new VolumeMount("/no/such/dir", "/x", false)), null, null, null),
                        "INVALID_VOLUME"},
                {spec(null, null, null, null, new Resources(-1.0, null, null), null, null), "INVALID_RESOURCES"},
                {spec(null, null, null, null, null,
                        new Hooks(List.of(new Hook("relative", null, null, null)), null, null, null, null), null),
                        "INVALID_HOOK"},
                {new ContainerSpec("c", registry.address() + "/bundles/missing:1", null, null, null, null, null,
                        null, null, null, null, null), "IMAGE_NOT_FOUND"}};
        List<String> codes = new ArrayList<>();
        for (Object[] c : cases) {
            Path bundle = tmp.resolve("bundles/bad");
            assertThatThrownBy(() -> factory.create("bad", (ContainerSpec) c[0], bundle))
                    .isInstanceOfSatisfying(BundleException.class, e -> codes.add(e.code()));
            assertThat(bundle).doesNotExist();
        }
        assertThat(codes).containsExactly(java.util.Arrays.stream(cases).map(c -> (String) c[1]).toArray(String[]::new));
        assertThatThrownBy(() -> factory.create("../escape", spec(null, null, null, null, null, null, null),
                tmp.resolve("bundles/x"))).isInstanceOfSatisfying(BundleException.class,
                e -> assertThat(e.code()).isEqualTo("INVALID_ID"));
    }

    @Test
    void aFailureAfterTheOverlayIsMountedUnmountsAndRemovesTheBundle() throws Exception {
        // The image's volume path is a symlink loop: seeding the volume fails after the rootfs is mounted.
        Path layout = tmp.resolve("loop-layout");
        Path rootfs = TestImages.busyboxRootfs(tmp.resolve("loop-rootfs"), Map.of());
        Files.createSymbolicLink(rootfs.resolve("data"), Path.of("data"));
        TestImages.umociImage(layout, "loop", rootfs, "--config.volume", "/data", "--config.cmd", "/bin/true");
        String loop = registry.address() + "/bundles/loop:1";
        TestImages.push(layout, "loop", loop);
        ImageBundleFactory overlay = new ImageBundleFactory(store, new ContainerRootfs(RootfsMode.OVERLAY));
        Path bundle = tmp.resolve("bundles/loop");

        assertThatThrownBy(() -> overlay.create("loop", new ContainerSpec("loop", loop, null, null, null, null, null,
                null, null, null, null, null), bundle))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.code()).isEqualTo("INVALID_IMAGE"))
                .hasMessageContaining("/data");

        assertThat(bundle).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(bundle.toString());
    }

    @Test
    void aNonEmptyBundleDirIsRefusedAndLeftAlone() throws Exception {
        Path bundle = Files.createDirectories(tmp.resolve("bundles/taken"));
        Files.writeString(bundle.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> factory.create("taken", spec(null, null, null, null, null, null, null), bundle))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.code()).isEqualTo("BUNDLE_EXISTS"));
        assertThat(bundle.resolve("keep.txt")).hasContent("mine");
    }

    @Test
    void anEntrypointOverrideDropsTheImageCmd() throws Exception {
        Path bundle = tmp.resolve("bundles/ep");
        factory.create("ep", new ContainerSpec("ep", image, List.of("/bin/echo"), null, null, null, null, null, null,
                null, null, null), bundle);
        JsonNode config = JSON.readTree(bundle.resolve("config.json").toFile());
        assertThat(strings(config.path("process").path("args"))).containsExactly("/bin/echo");
        assertThat(RuntimeSchema.violations(config)).isEmpty();
    }

    @Test
    void theDefaultSeccompFilterDeniesKernelSurfaceUnlessTheSpecSaysUnconfined() throws Exception {
        Path confined = tmp.resolve("bundles/sc1");
        factory.create("sc1", spec(null, null, null, null, null, null, null), confined);
        Path unconfined = tmp.resolve("bundles/sc2");
        factory.create("sc2", new ContainerSpec("sc2", image, null, null, null, null, null, null, null, null, null,
                null, ContainerSpec.SECCOMP_UNCONFINED), unconfined);

        JsonNode config = JSON.readTree(confined.resolve("config.json").toFile());
        JsonNode seccomp = config.path("linux").path("seccomp");
        assertThat(seccomp.path("defaultAction").asText()).isEqualTo("SCMP_ACT_ALLOW");
        assertThat(strings(seccomp.path("architectures")))
                .isEqualTo(SeccompProfile.architectures(System.getProperty("os.arch"))).isNotEmpty();
        assertThat(seccomp.path("syscalls")).hasSize(1);
        assertThat(seccomp.path("syscalls").get(0).path("action").asText()).isEqualTo("SCMP_ACT_ERRNO");
        assertThat(strings(seccomp.path("syscalls").get(0).path("names")))
                .contains("unshare", "setns", "mount", "bpf", "keyctl", "io_uring_setup", "kexec_load", "syslog")
                .doesNotContain("read", "clone", "execve", "ptrace", "adjtimex");
        assertThat(RuntimeSchema.violations(config)).isEmpty();
        JsonNode open = JSON.readTree(unconfined.resolve("config.json").toFile());
        assertThat(open.path("linux").has("seccomp")).isFalse();
        assertThat(RuntimeSchema.violations(open)).isEmpty();
    }

    @Test
    void anImageWhoseUserIsUnknownCannotBecomeABundle() throws Exception {
        Path layout = tmp.resolve("layout");
        Path rootfs = TestImages.busyboxRootfs(tmp.resolve("rootfs"), Map.of("etc/passwd", "root:x:0:0::/:/bin/sh\n"));
        TestImages.umociImage(layout, "ghost", rootfs, "--config.user", "ghost", "--config.cmd", "/bin/true");
        String ghost = registry.address() + "/bundles/ghost:1";
        TestImages.push(layout, "ghost", ghost);

        assertThatThrownBy(() -> factory.create("g", new ContainerSpec("g", ghost, null, null, null, null, null, null,
                null, null, null, null), tmp.resolve("bundles/g")))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.code()).isEqualTo("INVALID_USER"))
                .hasMessageContaining("ghost");
        assertThat(tmp.resolve("bundles/g")).doesNotExist();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
