package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {

    @Test
    void computesTheWellKnownDigestOfTheEmptyJsonObject() {
        Digest d = Digest.sha256("{}".getBytes(StandardCharsets.UTF_8));
        assertThat(d).hasToString("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        assertThat(Digest.parse(d.toString())).isEqualTo(d);
    }

    @Test
    void rejectsUnsupportedAlgorithmsWrongLengthsAndUppercase() {
        assertThatThrownBy(() -> Digest.parse("md5:d41d8cd98f00b204e9800998ecf8427e"))
                .isInstanceOf(InvalidDigestException.class).hasMessageContaining("unsupported");
        assertThatThrownBy(() -> Digest.parse("sha256:abc")).isInstanceOf(InvalidDigestException.class);
        assertThatThrownBy(() -> Digest.parse("sha256:" + "A".repeat(64))).isInstanceOf(InvalidDigestException.class);
        assertThatThrownBy(() -> Digest.parse("sha256")).isInstanceOf(InvalidDigestException.class);
        assertThat(Digest.isValid("sha512:" + "0".repeat(128))).isTrue();
    }

    @Test
    void incrementalDigestEqualsOneShot() {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Digester d = Digester.of("sha512");
        d.update(data, 0, 50_000);
        d.update(io.vertx.core.buffer.Buffer.buffer(java.util.Arrays.copyOfRange(data, 50_000, data.length)));
        assertThat(d.length()).isEqualTo(100_000);
        assertThat(d.digest()).isEqualTo(Digest.of("sha512", data));
    }
}
