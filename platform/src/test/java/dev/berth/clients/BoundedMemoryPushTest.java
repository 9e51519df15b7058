package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB blob pushed through the gateway of a {@code berth up} whose heap is capped at 256 MiB:
 * it only succeeds if no layer of the stack holds the body in memory.
 */
class BoundedMemoryPushTest {

    private static final long SIZE = 1024L * 1024 * 1024;

    @Test
    void oneGibibyteStreamsThroughA256MebibyteHeap(@TempDir Path work) throws Exception {
        try (RegistryProcess berth = RegistryProcess.create(work, "256m")) {
            berth.start();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://" + berth.address();
            String digest = "sha256:" + HexFormat.of().formatHex(digestOf(new RandomStream(SIZE)));

            HttpResponse<Void> post = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/big/layer/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(post.statusCode()).isEqualTo(202);
            String location = post.headers().firstValue("Location").orElseThrow();

            // Streamed without a length: chunked transfer, as docker sends a layer.
            HttpResponse<String> patch = http.send(HttpRequest.newBuilder(URI.create(base + location))
                    .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new RandomStream(SIZE)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(patch.statusCode()).as(patch.body()).isEqualTo(202);
            assertThat(patch.headers().firstValue("Range")).hasValue("0-" + (SIZE - 1));

            String next = patch.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + next
                            + (next.contains("?") ? "&" : "?") + "digest=" + digest))
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

            HttpResponse<InputStream> pulled = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/v2/big/layer/blobs/" + digest)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(pulled.statusCode()).isEqualTo(200);
            assertThat("sha256:" + HexFormat.of().formatHex(digestOf(pulled.body()))).isEqualTo(digest);
        }
    }

    private static byte[] digestOf(InputStream in) throws IOException {
        try (in) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
            return sha256.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same pseudo-random bytes every time it is read, generated on the fly. */
    private static final class RandomStream extends InputStream {
        private final SplittableRandom random = new SplittableRandom(42);
        private long left;

        RandomStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left) & ~7;
            if (n == 0) {
                n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) random.nextInt();
                }
            } else {
                for (int i = 0; i < n; i += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8; k++) {
                        b[off + i + k] = (byte) (v >>> (k * 8));
                    }
                }
            }
            left -= n;
            return n;
        }
    }
}
