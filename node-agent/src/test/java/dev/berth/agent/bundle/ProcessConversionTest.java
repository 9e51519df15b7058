package dev.berth.agent.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.agent.spec.ContainerSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProcessConversionTest {

    static ImageRuntimeConfig image(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir) {
        return new ImageRuntimeConfig(null, env, entrypoint, cmd, workingDir, null, null, null, null, null);
    }

    static ContainerSpec spec(List<String> entrypoint, List<String> args, Map<String, String> env, String workingDir) {
        return new ContainerSpec(null, "127.0.0.1:5000/a:1", entrypoint, args, env, workingDir, null, null, null,
                null, null, null);
    }

    private static final ImageRuntimeConfig SH = image(List.of("/bin/sh", "-c"), List.of("echo hi"), List.of(), null);

    @Test
    void entrypointThenCmd() throws Exception {
        assertThat(ProcessConversion.args(SH, spec(null, null, null, null))).containsExactly("/bin/sh", "-c", "echo hi");
    }

    @Test
    void argsReplaceCmdOnly() throws Exception {
        assertThat(ProcessConversion.args(SH, spec(null, List.of("echo bye"), null, null)))
                .containsExactly("/bin/sh", "-c", "echo bye");
    }

    @Test
    void anEntrypointOverrideDropsTheImageCmdUnlessArgsAreGiven() throws Exception {
        assertThat(ProcessConversion.args(SH, spec(List.of("/bin/true"), null, null, null))).containsExactly("/bin/true");
        assertThat(ProcessConversion.args(SH, spec(List.of("/bin/echo"), List.of("x"), null, null)))
                .containsExactly("/bin/echo", "x");
    }

    @Test
    void cmdAloneOrEmptyEntrypointOverride() throws Exception {
        ImageRuntimeConfig cmdOnly = image(null, List.of("/bin/sh"), List.of(), null);
        assertThat(ProcessConversion.args(cmdOnly, spec(null, null, null, null))).containsExactly("/bin/sh");
        assertThat(ProcessConversion.args(SH, spec(List.of(), List.of("/bin/ls"), null, null))).containsExactly("/bin/ls");
    }

    @Test
    void nothingToRunIsAnError() {
        assertThatThrownBy(() -> ProcessConversion.args(image(null, null, List.of(), null), spec(null, null, null, null)))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.code()).isEqualTo("NO_COMMAND"));
        assertThatThrownBy(() -> ProcessConversion.args(SH, spec(List.of(), null, null, null)))
                .isInstanceOf(BundleException.class);
    }

    @Test
    void envIsMergedByNameWithTheCallerWinning() throws Exception {
        ImageRuntimeConfig img = image(null, List.of("x"),
                List.of("PATH=/opt/bin", "LANG=C", "A=1"), null);
        List<String> env = ProcessConversion.env(img, spec(null, null, Map.of("A", "2", "Z", "z", "B", "b=c"), null));
        assertThat(env).containsExactly("PATH=/opt/bin", "LANG=C", "A=2", "B=b=c", "Z=z");
    }

    @Test
    void pathGetsADefaultOnlyWhenNobodySetsIt() throws Exception {
        ImageRuntimeConfig img = image(null, List.of("x"), List.of("HOME=/root"), null);
        assertThat(ProcessConversion.env(img, spec(null, null, null, null)))
                .containsExactly("HOME=/root", "PATH=" + ProcessConversion.DEFAULT_PATH);
        assertThat(ProcessConversion.env(img, spec(null, null, Map.of("PATH", "/x"), null)))
                .containsExactly("HOME=/root", "PATH=/x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A=B", "NUL\0"})
    void badEnvNamesAreRefused(String name) {
        assertThatThrownBy(() -> ProcessConversion.env(SH, spec(null, null, Map.of(name, "v"), null)))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.code()).isEqualTo("INVALID_ENV"));
    }

    @ParameterizedTest
    @CsvSource({
            "/, /",
            "/a/../b, /b",
            "/a/./b//c/, /a/b/c",
            "/../../etc, /etc",
            "/proc/self, /proc/self",
            "/proc/self/fdx, /proc/self/fdx",
            "/srv/app/.., /srv"})
    void workingDirsAreCleaned(String raw, String clean) throws Exception {
        assertThat(ProcessConversion.cleanWorkingDir(raw)).isEqualTo(clean);
    }

    @ParameterizedTest
    @ValueSource(strings = {"relative", "a/../b", "./x", "/proc/self/fd", "/proc/self/fd/7", "/proc/1/fd/3",
            "/proc/thread-self/fd/9", "/tmp/../proc/self/fd/4", "/proc/self/task/12/fd/5", "/proc//self/./fd/8"})
    void relativeAndFdDirsAreRefused(String raw) {
        assertThatThrownBy(() -> ProcessConversion.cleanWorkingDir(raw))
                .isInstanceOfSatisfying(BundleException.class,
                        e -> assertThat(e.code()).isEqualTo("INVALID_WORKING_DIR"))
                .hasMessageContaining(raw);
    }

    @Test
    void theCallersWorkingDirWinsThenTheImagesThenRoot() throws Exception {
        ImageRuntimeConfig img = image(null, List.of("x"), List.of(), "/srv/app/");
        assertThat(ProcessConversion.workingDir(img, spec(null, null, null, null))).isEqualTo("/srv/app");
        assertThat(ProcessConversion.workingDir(img, spec(null, null, null, "/tmp/x/.."))).isEqualTo("/tmp");
        assertThat(ProcessConversion.workingDir(image(null, null, List.of(), null), spec(null, null, null, null)))
                .isEqualTo("/");
    }
}
