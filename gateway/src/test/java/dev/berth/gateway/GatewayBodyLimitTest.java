package dev.berth.gateway;

import static dev.berth.gateway.GatewayProxyTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.gateway.protect.ProtectionConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Body limits on manifest PUTs and /api/v1 (small here: 4 KiB and 1 KiB); blob uploads stay unlimited. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayBodyLimitTest {

    private static final int MANIFEST_LIMIT = 4096;
    private static final int API_LIMIT = 1024;

    private Vertx vertx;
    private FakeRegistry upstream;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new FakeRegistry(vertx, "a").start();
        GatewayVerticle gateway = new GatewayVerticle(new GatewayConfig("127.0.0.1", 0, List.of(upstream.url()), null,
                100, 2).withProtection(ProtectionConfig.DEFAULTS.withLimits(MANIFEST_LIMIT, API_LIMIT)));
        await(vertx.deployVerticle(gateway));
        base = "http://127.0.0.1:" + gateway.actualPort();
    }

    @AfterAll
    void stop() throws Exception {
        await(vertx.close());
    }

    @Test
    void declaredOversizedManifestIsRefusedBeforeTheRegistryHearsOfIt() throws Exception {
        HttpResponse<String> resp = put("/v2/team/app/manifests/declared", new byte[MANIFEST_LIMIT + 1], true);
        assertThat(resp.statusCode()).isEqualTo(413);
        JsonObject error = new JsonObject(resp.body()).getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("code")).isEqualTo("MANIFEST_INVALID");
        assertThat(error.getString("message")).contains("exceeds " + MANIFEST_LIMIT);
        assertThat(seen("/declared")).isZero();
    }

    @Test
    void streamedOversizedManifestIsCutOffAndAnswered413() throws Exception {
        HttpResponse<String> resp = put("/v2/team/app/manifests/streamed", new byte[MANIFEST_LIMIT * 8], false);
        assertThat(resp.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(resp.body()).getJsonArray("errors").getJsonObject(0).getString("code"))
                .isEqualTo("MANIFEST_INVALID");
        // The registry may have seen the start of the request, but never a complete body.
        for (FakeRegistry.Seen seen : upstream.requests()) {
            if (seen.uri().endsWith("/streamed")) {
                assertThat(seen.body().get(10, TimeUnit.SECONDS).aborted()).isTrue();
            }
        }
    }

    @Test
    void manifestAtTheLimitGoesThrough() throws Exception {
        byte[] body = new byte[MANIFEST_LIMIT];
        HttpResponse<String> resp = put("/v2/team/app/manifests/fits", body, false);
        assertThat(resp.statusCode()).isEqualTo(201);
        FakeRegistry.Body received = upstream.requests().stream().filter(s -> s.uri().endsWith("/fits"))
                .findFirst().orElseThrow().body().get(10, TimeUnit.SECONDS);
        assertThat(received.length()).isEqualTo(MANIFEST_LIMIT);
        assertThat(received.sha256()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(body)));
    }

    @Test
    void oversizedApiBodiesGetBerthsEnvelope() throws Exception {
        for (boolean declared : new boolean[] {true, false}) {
            HttpResponse<String> resp = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/webhooks"))
                    .POST(publisher(new byte[API_LIMIT * 4], declared)).build());
            assertThat(resp.statusCode()).isEqualTo(413);
            JsonObject error = new JsonObject(resp.body()).getJsonObject("error");
            assertThat(error.getString("code")).isEqualTo("body_too_large");
            assertThat(error.getString("message")).contains("exceeds " + API_LIMIT);
        }
        HttpResponse<String> small = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/webhooks"))
                .POST(BodyPublishers.ofString("{\"url\":\"http://x\"}")).build());
        assertThat(small.statusCode()).as("the fake registry accepted it").isEqualTo(202);
    }

    @Test
    void blobUploadsStayUnlimited() throws Exception {
        long size = 64L * 1024 * 1024;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        HttpResponse<String> resp = send(HttpRequest.newBuilder(URI.create(base + "/v2/team/app/blobs/uploads/big"))
                .method("PATCH", BodyPublishers.ofInputStream(() -> new GeneratedStream(size, sent))).build());
        assertThat(resp.statusCode()).isEqualTo(202);
        FakeRegistry.Body received = upstream.requests().stream().filter(s -> s.uri().endsWith("/big"))
                .findFirst().orElseThrow().body().get(10, TimeUnit.SECONDS);
        assertThat(received.length()).isEqualTo(size);
        assertThat(received.sha256()).isEqualTo(HexFormat.of().formatHex(sent.digest()));
    }

    private HttpResponse<String> put(String path, byte[] body, boolean declared) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(publisher(body, declared)).build());
    }

    /** With a Content-Length, or chunked (no length known up front). */
    private static HttpRequest.BodyPublisher publisher(byte[] body, boolean declared) {
        return declared ? BodyPublishers.ofByteArray(body)
                : BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
    }

    private long seen(String suffix) {
        return upstream.requests().stream().filter(s -> s.uri().endsWith(suffix)).count();
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, BodyHandlers.ofString());
    }
}
