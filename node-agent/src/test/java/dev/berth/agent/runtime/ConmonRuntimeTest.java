package dev.berth.agent.runtime;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.agent.BusyboxBundleFactory;
import dev.berth.agent.HostTools;
import dev.berth.agent.host.DirectSpawn;
import dev.berth.agent.host.LinuxCalls;
import dev.berth.agent.spec.ContainerSpecJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both ways the runtime talks to conmon and runc: with native calls (conmon's report read from a FIFO, start
 * through runc's exec FIFO) and without (a polled file, {@code runc start}). runc's own view must be the same.
 */
class ConmonRuntimeTest {

    @TempDir
    Path temp;
    ConmonRuntime runtime;
    final BusyboxBundleFactory bundles = new BusyboxBundleFactory();

    @BeforeEach
    void tools() {
        HostTools.requireRuntime();
        HostTools.require(LinuxCalls.get().isPresent(), "native libc calls (jnr-ffi)");
    }

    @AfterEach
    void removeContainers() throws Exception {
        if (runtime != null) {
            for (String id : runtime.list()) {
                runtime.deleteQuietly(id);
            }
        }
    }

    /** The three ways conmon is started and heard from; see {@link ConmonRuntime}. */
    static final String DIRECT = "posix_spawn, report from a FIFO";
    static final String SHELL = "sh wrapper, report from a FIFO";
    static final String NO_NATIVE = "sh wrapper, report polled from a file";

    private ConmonRuntime runtime(String mode) {
        return runtime(mode, HostTools.CONMON);
    }

    private ConmonRuntime runtime(String mode, Path conmon) {
        RuntimeSettings settings = new RuntimeSettings(HostTools.RUNC, conmon, temp.resolve("runc"),
                temp.resolve("sockets"), 0);
        if (mode.equals(DIRECT)) {
            HostTools.require(DirectSpawn.get().isPresent(), "glibc posix_spawn with closefrom and chdir actions");
        }
        runtime = new ConmonRuntime(settings, mode.equals(NO_NATIVE) ? Optional.empty() : LinuxCalls.get(),
                mode.equals(DIRECT) ? DirectSpawn.get() : Optional.empty());
        return runtime;
    }

    private RunFiles bundle(String id, String... argv) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("containers").resolve(id));
        bundles.create(id, ContainerSpecJson.parse(spec(argv)), dir.resolve("bundle"));
        return RunFiles.in(dir);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {DIRECT, SHELL, NO_NATIVE})
    void createThenStartAsRuncSeesIt(String mode) throws Exception {
        ConmonRuntime runtime = runtime(mode);
        RunFiles files = bundle("c1", "sh", "-c", "echo started; sleep 30");

        int pid = runtime.create("c1", files);

        assertThat(pid).isPositive();
        assertThat(runtime.state("c1").orElseThrow().status()).isEqualTo("created");
        assertThat(runtime.settings().runcRoot().resolve("c1").resolve(ConmonRuntime.EXEC_FIFO)).exists();

        runtime.start("c1", pid);

        assertThat(runtime.state("c1").orElseThrow().status()).isEqualTo("running");
        assertThat(runtime.settings().runcRoot().resolve("c1").resolve(ConmonRuntime.EXEC_FIFO)).doesNotExist();
        assertThatThrownBy(() -> runtime.start("c1", pid)).isInstanceOf(RuncException.class); // runc start says why

        runtime.kill("c1", "SIGKILL");
        long deadline = System.currentTimeMillis() + 10_000;
        while (runtime.exit("c1", files).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(runtime.exit("c1", files)).hasValueSatisfying(exit -> assertThat(exit.code()).isEqualTo(137));
        assertThat(Files.readString(files.logFile())).contains("stdout F started");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {DIRECT, SHELL, NO_NATIVE})
    void aFailedCreateReportsRuncsErrorAndLeavesNoRuncContainer(String mode) throws Exception {
        ConmonRuntime runtime = runtime(mode);
        RunFiles files = bundle("c2", "/no/such/program");

        assertThatThrownBy(() -> runtime.create("c2", files)).isInstanceOf(RuncException.class)
                .hasMessageContaining("/no/such/program");
        assertThat(runtime.list()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {DIRECT, SHELL, NO_NATIVE})
    void startingAContainerWhoseInitDiedFails(String mode) throws Exception {
        ConmonRuntime runtime = runtime(mode);
        RunFiles files = bundle("c3", "sleep", "30");
        int pid = runtime.create("c3", files);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        long deadline = System.currentTimeMillis() + 10_000;
        while (HostProcess.alive(pid) && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }

        assertThatThrownBy(() -> runtime.start("c3", pid)).isInstanceOf(RuncException.class);
    }

    @org.junit.jupiter.api.Test
    void aDirectlySpawnedConmonHoldsNoDescriptorOfTheAgentAndRunsInThePersistDir() throws Exception {
        ConmonRuntime runtime = runtime(DIRECT);
        RunFiles files = bundle("c4", "sleep", "30");
        Path marker = Files.writeString(temp.resolve("agent-open-file"), "x");
        // The JDK opens files without O_CLOEXEC: a spawn that closed nothing would pass this one to conmon.
        try (java.io.FileInputStream open = new java.io.FileInputStream(marker.toFile())) {
            runtime.create("c4", files);
        }
        int conmon = HostProcess.readPidFile(files.conmonPidFile()).orElseThrow();

        List<String> targets = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", Integer.toString(conmon), "fd"))) {
            for (Path fd : fds.toList()) {
                targets.add(Files.readSymbolicLink(fd).toString());
            }
        }
        assertThat(targets).doesNotContain(marker.toString());
        assertThat(Files.readSymbolicLink(Path.of("/proc", Integer.toString(conmon), "cwd")))
                .isEqualTo(files.persistDir());
        assertThat(runtime.state("c4").orElseThrow().status()).isEqualTo("created");
    }

    @org.junit.jupiter.api.Test
    void aConmonThatCannotBeSpawnedFailsTheCreateAndLeavesNoRuncContainer() throws Exception {
        ConmonRuntime runtime = runtime(DIRECT, temp.resolve("no-such-conmon"));
        RunFiles files = bundle("c5", "sleep", "30");

        assertThatThrownBy(() -> runtime.create("c5", files)).isInstanceOf(RuncException.class)
                .hasMessageContaining("no-such-conmon");
        assertThat(runtime.list()).isEmpty();
    }
}
