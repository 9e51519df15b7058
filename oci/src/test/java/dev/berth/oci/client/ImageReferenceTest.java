package dev.berth.oci.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void parsesHostPortRepositoryTagAndDigest() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/team/app:1.2@" + DIGEST);

        assertThat(ref.registry()).isEqualTo("127.0.0.1:5000");
        assertThat(ref.host()).isEqualTo("127.0.0.1");
        assertThat(ref.repository()).isEqualTo("team/app");
        assertThat(ref.tag()).isEqualTo("1.2");
        assertThat(ref.digest()).isEqualTo(Digest.parse(DIGEST));
        assertThat(ref.manifestReference()).isEqualTo(DIGEST);
        assertThat(ref).hasToString("127.0.0.1:5000/team/app:1.2@" + DIGEST);
    }

    @Test
    void tagDefaultsToLatestOnlyWithoutADigest() {
        assertThat(ImageReference.parse("registry.example.com/app").tag()).isEqualTo("latest");
        assertThat(ImageReference.parse("localhost/app@" + DIGEST).tag()).isNull();
        assertThat(ImageReference.parse("[::1]:5000/app:v1").host()).isEqualTo("::1");
    }

    @Test
    void plainHttpOnlyForLoopback() {
        assertThat(ImageReference.parse("127.0.0.1:5000/a").isLoopback()).isTrue();
        assertThat(ImageReference.parse("127.8.9.10/a").isLoopback()).isTrue();
        assertThat(ImageReference.parse("localhost:5000/a").isLoopback()).isTrue();
        assertThat(ImageReference.parse("[::1]:5000/a").isLoopback()).isTrue();
        assertThat(ImageReference.parse("registry.example.com/a").isLoopback()).isFalse();
        assertThat(ImageReference.parse("128.0.0.1/a").isLoopback()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"app", "app:1", "library/app:1", "/app", "127.0.0.1:5000/", "127.0.0.1:5000/App",
            "127.0.0.1:5000/app:bad tag", "127.0.0.1:5000/app@sha256:short", "bad_host.example/app"})
    void rejectsReferencesWithoutAHostOrWithBadParts(String text) {
        assertThatThrownBy(() -> ImageReference.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
