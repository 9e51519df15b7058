package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Platform;
import dev.berth.PlatformOptions;
import dev.berth.kit.Config;
import dev.berth.testing.HostCommand;
import dev.berth.testing.HostTools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth up} with the gateway on TLS (a certificate made by openssl) and its audit log on
 * the embedded PostgreSQL: skopeo pushes and pulls over TLS, an oversized manifest never reaches
 * the registry, and every push, pull and delete shows up in {@code GET /api/v1/audit}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GatewayProtectionTest {

    private Path work;
    private Vertx vertx;
    private Platform platform;
    private Path certDir;
    private HttpClient https;
    private String base;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        work = tempDir;
        Path openssl = HostTools.require("openssl");
        certDir = Files.createDirectories(work.resolve("certs"));
        Path cert = certDir.resolve("ca.crt");
        Path key = work.resolve("server.key");
        HostCommand.of(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()).runOk();
        vertx = Vertx.vertx();
        Config config = Config.of(Map.of(), Map.of(
                "BERTH_GATEWAY_TLS_CERT_FILE", cert.toString(),
                "BERTH_GATEWAY_TLS_KEY_FILE", key.toString(),
                "BERTH_GATEWAY_AUDIT_FLUSH_INTERVAL_MS", "50",
                "BERTH_ADMIN_PASSWORD", ADMIN_PASSWORD));
        platform = await(Platform.start(vertx, PlatformOptions.forTests(work.resolve("data")), config));
        assertThat(platform.gatewayUrl()).startsWith("https://");
        base = platform.gatewayUrl();
        https = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    void stop() throws Exception {
        if (platform != null) {
            await(platform.stop());
        }
        await(vertx.close());
    }

    private static final String ADMIN_PASSWORD = "protect-admin-password";

    @Test
    void skopeoPushesAndPullsOverTlsAndTheAuditLogHasEveryStep() throws Exception {
        Path skopeo = HostTools.require("skopeo");
        OciLayout source = BusyboxImages.image(work.resolve("source"), "v1", "amd64");
        String reference = platform.gatewayAddress() + "/protect/tls:v1";
        HostCommand.of(skopeo.toString(), "--insecure-policy", "copy", "--dest-cert-dir", certDir.toString(),
                "--dest-creds", "admin:" + ADMIN_PASSWORD, Skopeo.oci(source.root(), "v1"), Skopeo.docker(reference)).runOk();
        HostCommand.of(skopeo.toString(), "--insecure-policy", "copy", "--src-cert-dir", certDir.toString(),
                "--src-creds", "admin:" + ADMIN_PASSWORD, Skopeo.docker(reference), Skopeo.oci(work.resolve("copy"), "v1"))
                .runOk();
        String digest = source.digest("v1");
        assertThat(new OciLayout(work.resolve("copy")).digest("v1")).isEqualTo(digest);
        assertThat(send("DELETE", "/v2/protect/tls/manifests/" + digest, null).statusCode()).isEqualTo(202);

        JsonArray entries = awaitEntries("repository=protect/tls", e -> e.stream()
                .anyMatch(x -> ((JsonObject) x).getString("action").equals("delete")));
        List<String> seen = new ArrayList<>();
        for (Object e : entries) {
            JsonObject entry = (JsonObject) e;
            seen.add(entry.getString("action") + " " + entry.getString("target") + " " + entry.getInteger("status"));
            assertThat(entry.getString("clientIp")).isEqualTo("127.0.0.1");
        }
        assertThat(seen).contains("push manifest 201", "pull manifest 200", "delete manifest 202");
        assertThat(seen.stream().filter(s -> s.startsWith("push blob 201")).count())
                .as("config and layer uploads completed").isGreaterThanOrEqualTo(2);
        JsonObject push = entries.stream().map(JsonObject.class::cast)
                .filter(x -> x.getString("action").equals("push") && x.getString("target").equals("manifest"))
                .findFirst().orElseThrow();
        assertThat(push.getString("reference")).isEqualTo("v1");
        assertThat(push.getString("digest")).isEqualTo(digest);
    }

    @Test
    void anOversizedManifestIsRefusedAndNeverStored() throws Exception {
        byte[] huge = new byte[4 * 1024 * 1024 + 1];
        for (boolean declared : new boolean[] {true, false}) {
            String tag = declared ? "declared" : "streamed";
            HttpResponse<String> resp = https.send(HttpRequest.newBuilder(URI.create(base + "/v2/protect/big/manifests/" + tag))
                    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                    .header("Authorization", bearer("repository:protect/big:pull,push"))
                    .PUT(declared ? BodyPublishers.ofByteArray(huge)
                            : BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)))
                    .build(), BodyHandlers.ofString());
            assertThat(resp.statusCode()).as(tag).isEqualTo(413);
            assertThat(new JsonObject(resp.body()).getJsonArray("errors").getJsonObject(0).getString("code"))
                    .isEqualTo("MANIFEST_INVALID");
            // Straight at the registry, past the gateway: nothing was stored.
            HttpResponse<String> direct = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + platform.registryPorts().get(0) + "/v2/protect/big/manifests/" + tag))
                    .header("Authorization", bearer("repository:protect/big:pull")).build(),
                    BodyHandlers.ofString());
            assertThat(direct.statusCode()).as(tag).isEqualTo(404);
        }
        JsonArray refused = awaitEntries("repository=protect/big", e -> e.size() >= 2);
        assertThat(refused.stream().map(JsonObject.class::cast).map(e -> e.getInteger("status")))
                .containsOnly(413);
    }

    private JsonArray awaitEntries(String filter, java.util.function.Predicate<JsonArray> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            HttpResponse<String> resp = send("GET", "/api/v1/audit?" + filter, null);
            assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
            JsonArray entries = new JsonObject(resp.body()).getJsonArray("entries");
            if (done.test(entries) || System.nanoTime() > deadline) {
                return entries;
            }
            Thread.sleep(50);
        }
    }

    /** A request as admin: a token for /v2 (scope from the repository in the path), Basic for /api/v1. */
    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        String authorization = path.startsWith("/v2/")
                ? bearer("repository:" + path.substring(4, path.indexOf("/manifests/")) + ":pull,push,delete")
                : "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return https.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization)
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build(),
                BodyHandlers.ofString());
    }

    private String bearer(String scope) throws Exception {
        HttpResponse<String> token = https.send(HttpRequest.newBuilder(URI.create(base + "/token?service=berth&scope="
                        + URLEncoder.encode(scope, StandardCharsets.UTF_8)))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))).build(),
                BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        return "Bearer " + new JsonObject(token.body()).getString("token");
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("gateway", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    }
}
