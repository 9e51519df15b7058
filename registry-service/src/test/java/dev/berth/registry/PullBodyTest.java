package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.kit.Config;
import dev.berth.oci.Digest;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code registry.storage.pull-body}: a registry writing pulls from a memory map (the default) and one
 * using sendfile, on one database and one storage dir, answer blob GETs, ranges and unknown blobs alike.
 */
@ExtendWith(PostgresExtension.class)
class PullBodyTest {

    private static Vertx vertx;
    private static RegistryService mapped;
    private static RegistryService sendfile;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(PostgresDatabase db, @TempDir Path storage) throws Exception {
        vertx = Vertx.vertx();
        Config config = TestRegistryConfig.of(db, storage);
        mapped = RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS);
        sendfile = RegistryService.start(vertx, RegistryConfig.from(config.with("registry.storage.pull-body", "sendfile")))
                .await(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        mapped.stop().await(30, TimeUnit.SECONDS);
        sendfile.stop().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    private static HttpResponse<byte[]> get(RegistryService registry, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + registry.port() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void bothBodiesServeTheBlobItsRangesAndNothingUnlinked() throws Exception {
        byte[] blob = new byte[2 * 1024 * 1024 + 33];
        new Random(3).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        HttpResponse<byte[]> push = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mapped.port()
                        + "/v2/team/pulls/blobs/uploads/?digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(push.statusCode()).isEqualTo(201);

        for (RegistryService registry : new RegistryService[] {mapped, sendfile}) {
            String path = "/v2/team/pulls/blobs/" + digest;
            HttpResponse<byte[]> whole = get(registry, path);
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.body()).containsExactly(blob);
            assertThat(whole.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());

            HttpResponse<byte[]> range = get(registry, path, "Range", "bytes=1048570-1048600");
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).containsExactly(Arrays.copyOfRange(blob, 1048570, 1048601));
            HttpResponse<byte[]> tail = get(registry, path, "Range", "bytes=-5");
            assertThat(tail.body()).containsExactly(Arrays.copyOfRange(blob, blob.length - 5, blob.length));

            // Another repository does not link it: the bytes are there, but not for it.
            HttpResponse<byte[]> elsewhere = get(registry, "/v2/team/other/blobs/" + digest);
            assertThat(elsewhere.statusCode()).isEqualTo(404);
            assertThat(new String(elsewhere.body(), StandardCharsets.UTF_8)).contains("BLOB_UNKNOWN");
        }

        // Unlinked from its repository, it is not served any more, whichever body would have sent it.
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mapped.port()
                + "/v2/team/pulls/blobs/" + digest)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(202);
        assertThat(get(mapped, "/v2/team/pulls/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(get(sendfile, "/v2/team/pulls/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    @Test
    void aClientLeavingMidPullIsLoggedAsSuchNotAsAServerFailure() throws Exception {
        byte[] blob = new byte[32 * 1024 * 1024];
        new Random(5).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mapped.port()
                        + "/v2/team/left/blobs/uploads/?digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(201);
        Logger responses = (Logger) LoggerFactory.getLogger("dev.berth.registry.api.Responses");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Level level = responses.getLevel();
        responses.setLevel(Level.DEBUG);
        responses.addAppender(logged);
        try {
            for (RegistryService registry : new RegistryService[] {mapped, sendfile}) {
                int before = logged.list.size();
                try (Socket socket = new Socket("127.0.0.1", registry.port())) {
                    socket.getOutputStream().write(("GET /v2/team/left/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    assertThat(socket.getInputStream().readNBytes(64 * 1024)).hasSize(64 * 1024);
                    socket.setSoLinger(true, 0); // close with a reset while the registry is still writing
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (logged.list.size() == before && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(logged.list.subList(before, logged.list.size())).isNotEmpty().allSatisfy(event -> {
                    assertThat(event.getLevel()).isEqualTo(Level.DEBUG);
                    assertThat(event.getFormattedMessage()).startsWith("client left during GET /v2/team/left/blobs/");
                });
                assertThat(get(registry, "/v2/team/left/blobs/" + digest).body()).containsExactly(blob);
            }
        } finally {
            responses.detachAppender(logged);
            responses.setLevel(level);
        }
    }

    @Test
    void anUnknownPullBodyIsRefusedAtStart() {
        Config config = Config.of(java.util.Map.of(), java.util.Map.of()).with("registry.storage.pull-body", "splice");
        assertThatThrownBy(() -> RegistryConfig.from(config))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mapped or sendfile");
    }
}
