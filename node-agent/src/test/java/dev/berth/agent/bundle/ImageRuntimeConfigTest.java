package dev.berth.agent.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageRuntimeConfigTest {

    static ImageRuntimeConfig parse(String json) throws BundleException {
        return ImageRuntimeConfig.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheRuntimeFieldsAndTheImplicitAnnotations() throws Exception {
        ImageRuntimeConfig c = parse("""
                {"os":"linux","architecture":"amd64","variant":"v8","os.features":["a","b"],"author":"me",
                 "created":"2026-01-01T00:00:00Z",
                 "config":{"User":"app:app","Env":["A=1"],"Entrypoint":["/e"],"Cmd":null,"WorkingDir":"/w",
                   "Volumes":{"/data":{},"/logs":{}},"ExposedPorts":{"80/tcp":{},"53/udp":{}},
                   "Labels":{"k":"v"},"StopSignal":"SIGQUIT"},
                 "rootfs":{"type":"layers","diff_ids":[]}}
                """);
        assertThat(c.user()).isEqualTo("app:app");
        assertThat(c.env()).containsExactly("A=1");
        assertThat(c.entrypoint()).containsExactly("/e");
        assertThat(c.cmd()).isNull();
        assertThat(c.volumes()).containsExactly("/data", "/logs");
        assertThat(c.labels()).containsEntry("k", "v");
        assertThat(c.implicitAnnotations())
                .containsEntry("org.opencontainers.image.os", "linux")
                .containsEntry("org.opencontainers.image.architecture", "amd64")
                .containsEntry("org.opencontainers.image.variant", "v8")
                .containsEntry("org.opencontainers.image.os.features", "a,b")
                .containsEntry("org.opencontainers.image.author", "me")
                .containsEntry("org.opencontainers.image.created", "2026-01-01T00:00:00Z")
                .containsEntry("org.opencontainers.image.stopSignal", "SIGQUIT")
                .containsEntry("org.opencontainers.image.exposedPorts", "80/tcp,53/udp");
    }

    @Test
    void aConfigWithoutTheConfigObjectHasNoDefaults() throws Exception {
        ImageRuntimeConfig c = parse("{\"os\":\"linux\"}");
        assertThat(c.entrypoint()).isNull();
        assertThat(c.env()).isEmpty();
        assertThat(c.user()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{nope", "{\"config\":[]}", "{\"config\":{\"Env\":\"A=1\"}}",
            "{\"config\":{\"Cmd\":[1]}}", "{\"config\":{\"User\":0}}", "{\"config\":{\"Labels\":{\"k\":1}}}",
            "{\"config\":{\"Volumes\":[\"/x\"]}}", "{\"os\":\"linux\",\"os\":\"windows\"}"})
    void wronglyTypedFieldsAreRefused(String json) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(BundleException.class,
                e -> assertThat(e.code()).isEqualTo("INVALID_IMAGE_CONFIG"));
    }
}
