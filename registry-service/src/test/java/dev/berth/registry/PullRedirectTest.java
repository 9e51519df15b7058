package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.infra.S3Bucket;
import dev.berth.infra.S3ProxyExtension;
import dev.berth.kit.Config;
import dev.berth.oci.Digest;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code registry.storage.s3.redirect-pulls}: a blob GET is a 307 to a presigned URL on S3 (S3Proxy). */
@ExtendWith({PostgresExtension.class, S3ProxyExtension.class})
class PullRedirectTest {

    private static Vertx vertx;
    private static RegistryService registry;
    private static String base;
    private static String endpoint;

    @BeforeAll
    static void start(PostgresDatabase db, S3Bucket bucket) throws Exception {
        vertx = Vertx.vertx();
        Config config = Config.of(Map.of(), Map.of())
                .with("registry.port", 0).with("registry.instances", 1)
                .with("registry.storage.driver", "s3")
                .with("registry.storage.s3.endpoint", bucket.endpoint())
                .with("registry.storage.s3.region", bucket.region())
                .with("registry.storage.s3.bucket", bucket.bucket())
                .with("registry.storage.s3.access-key", bucket.accessKey())
                .with("registry.storage.s3.secret-key", bucket.secretKey())
                .with("registry.storage.s3.redirect-pulls", true)
                .with("registry.storage.s3.redirect-expiry-seconds", 300)
                .with("registry.database.host", db.host()).with("registry.database.port", db.port())
                .with("registry.database.name", db.database()).with("registry.database.user", db.user())
                .with("registry.database.password", db.password());
        registry = RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + registry.port();
        endpoint = bucket.endpoint();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.stop().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @Test
    void aBlobGetRedirectsToAPresignedUrlThatServesTheBytes() throws Exception {
        byte[] blob = new byte[1024 * 1024 + 3];
        new Random(7).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        HttpClient direct = HttpClient.newHttpClient();
        assertThat(direct.send(HttpRequest.newBuilder(URI.create(base + "/v2/redirect/app/blobs/uploads/?digest=" + digest))
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(201);
        URI blobUrl = URI.create(base + "/v2/redirect/app/blobs/" + digest);

        HttpResponse<Void> redirect = direct.send(HttpRequest.newBuilder(blobUrl).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(redirect.statusCode()).isEqualTo(307);
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(endpoint).contains("X-Amz-Signature=").contains("X-Amz-Expires=300");
        assertThat(redirect.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());

        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<byte[]> pulled = following.send(HttpRequest.newBuilder(blobUrl).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(pulled.body())).isEqualTo(digest);

        HttpResponse<Void> head = direct.send(HttpRequest.newBuilder(blobUrl).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(blob.length));
    }

    @Test
    void aBlobTheRepositoryDoesNotLinkIsStillAnErrorNotARedirect() throws Exception {
        HttpResponse<String> missing = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                        + "/v2/redirect/app/blobs/sha256:" + "0".repeat(64))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("BLOB_UNKNOWN");
    }
}
