package dev.berth.agent.runtime;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.agent.BusyboxBundleFactory;
import dev.berth.agent.HostTools;
import dev.berth.agent.host.LinuxCalls;
import dev.berth.agent.spec.ContainerSpecJson;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private ConmonRuntime runtime(boolean nativeCalls) {
        RuntimeSettings settings = new RuntimeSettings(HostTools.RUNC, HostTools.CONMON, temp.resolve("runc"),
                temp.resolve("sockets"), 0);
        runtime = new ConmonRuntime(settings, nativeCalls ? LinuxCalls.get() : Optional.empty());
        return runtime;
    }

    private RunFiles bundle(String id, String... argv) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("containers").resolve(id));
        bundles.create(id, ContainerSpecJson.parse(spec(argv)), dir.resolve("bundle"));
        return RunFiles.in(dir);
    }

    @ParameterizedTest(name = "native calls: {0}")
    @ValueSource(booleans = {true, false})
    void createThenStartAsRuncSeesIt(boolean nativeCalls) throws Exception {
        ConmonRuntime runtime = runtime(nativeCalls);
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

    @ParameterizedTest(name = "native calls: {0}")
    @ValueSource(booleans = {true, false})
    void aFailedCreateReportsRuncsErrorAndLeavesNoRuncContainer(boolean nativeCalls) throws Exception {
        ConmonRuntime runtime = runtime(nativeCalls);
        RunFiles files = bundle("c2", "/no/such/program");

        assertThatThrownBy(() -> runtime.create("c2", files)).isInstanceOf(RuncException.class)
                .hasMessageContaining("/no/such/program");
        assertThat(runtime.list()).isEmpty();
    }

    @ParameterizedTest(name = "native calls: {0}")
    @ValueSource(booleans = {true, false})
    void startingAContainerWhoseInitDiedFails(boolean nativeCalls) throws Exception {
        ConmonRuntime runtime = runtime(nativeCalls);
        RunFiles files = bundle("c3", "sleep", "30");
        int pid = runtime.create("c3", files);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        long deadline = System.currentTimeMillis() + 10_000;
        while (HostProcess.alive(pid) && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }

        assertThatThrownBy(() -> runtime.start("c3", pid)).isInstanceOf(RuncException.class);
    }
}
