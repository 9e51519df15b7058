package dev.berth.registry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bodies written from a memory map: exact bytes across slice and window edges, and clients that leave. */
class MappedFileBodyTest {

    private static final int SLICE = 4099;
    private static final long WINDOW = 3 * 4096 + 5;

    @TempDir
    Path dir;
    private Vertx vertx;
    private HttpServer server;
    private Path file;
    private byte[] content;
    private final AtomicReference<Future<Void>> lastSend = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        content = new byte[100_003];
        new Random(7).nextBytes(content);
        file = Files.write(dir.resolve("blob"), content);
        vertx = Vertx.vertx();
        // GET /OFFSET/LENGTH[/SLICE/WINDOW] sends that range of the file.
        server = vertx.createHttpServer().requestHandler(req -> {
            String[] parts = req.path().substring(1).split("/");
            long offset = Long.parseLong(parts[0]);
            long length = Long.parseLong(parts[1]);
            int slice = parts.length > 2 ? Integer.parseInt(parts[2]) : SLICE;
            long window = parts.length > 3 ? Long.parseLong(parts[3]) : WINDOW;
            req.response().putHeader("Content-Length", Long.toString(length));
            Future<Void> sent = MappedFileBody.send(req.response(), file, offset, length, slice, window);
            lastSend.set(sent);
            sent.onFailure(e -> {
                if (!req.response().headWritten()) {
                    req.response().setStatusCode(500).putHeader("Content-Length", "0").end();
                }
            });
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void sendsExactlyTheRangeAcrossSliceAndWindowEdges() throws Exception {
        long[][] ranges = {
            {0, content.length}, {1, content.length - 1}, {0, 1}, {content.length - 1, 1},
            {WINDOW - 1, 2}, {WINDOW, SLICE}, {SLICE - 3, 3 * WINDOW + 11}, {4096, 0}, {12345, 54321},
        };
        for (long[] range : ranges) {
            HttpResponse<byte[]> response = get("/" + range[0] + "/" + range[1]);
            assertThat(response.statusCode()).as("range %s", Arrays.toString(range)).isEqualTo(200);
            assertThat(response.body()).as("range %s", Arrays.toString(range))
                    .containsExactly(Arrays.copyOfRange(content, (int) range[0], (int) (range[0] + range[1])));
            lastSend.get().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theDefaultSizesSendTheWholeFile() throws Exception {
        HttpResponse<byte[]> response = get("/0/" + content.length + "/" + MappedFileBody.SLICE + "/" + MappedFileBody.WINDOW);
        assertThat(response.body()).containsExactly(content);
    }

    @Test
    void writesTheSameBytesOverEpollAsOverNio() throws Exception {
        // berth's Vert.x prefers the native transport (service-kit); this one's default is NIO. Both
        // must write the mapped slices the same way (a read-only direct buffer with no array).
        Vertx preferNative = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
        try {
            HttpServer nativeServer = preferNative.createHttpServer()
                    .requestHandler(req -> MappedFileBody.send(req.response().putHeader("Content-Length",
                            Integer.toString(content.length)), file, 0, content.length, SLICE, WINDOW))
                    .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
            HttpResponse<byte[]> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + nativeServer.actualPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.body()).containsExactly(content);
            assertThat(vertx.isNativeTransportEnabled()).isFalse();
            System.out.println("MappedFileBodyTest: native transport in use: " + preferNative.isNativeTransportEnabled());
        } finally {
            preferNative.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRangePastTheEndOfTheFileFailsBeforeAnythingIsWritten() throws Exception {
        HttpResponse<byte[]> response = get("/100000/10");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(lastSend.get().failed()).isTrue();
    }

    @Test
    void aClientThatLeavesMidBodyEndsTheSendWithAFailure() throws Exception {
        byte[] big = new byte[64 * 1024 * 1024];
        file = Files.write(dir.resolve("big"), big);
        try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
            socket.getOutputStream().write(("GET /0/" + big.length + "/65536/1048576 HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            // Read a little of the body, then go away with the rest unread.
            in.readNBytes(256 * 1024);
        }
        Promise<Void> settled = Promise.promise();
        vertx.setPeriodic(20, id -> {
            Future<Void> sent = lastSend.get();
            if (sent != null && sent.isComplete()) {
                vertx.cancelTimer(id);
                settled.complete();
            }
        });
        settled.future().await(30, TimeUnit.SECONDS);
        assertThat(lastSend.get().failed()).isTrue();
        // The server is still fine afterwards.
        file = dir.resolve("blob");
        assertThat(get("/0/10").body()).containsExactly(Arrays.copyOfRange(content, 0, 10));
    }
}
