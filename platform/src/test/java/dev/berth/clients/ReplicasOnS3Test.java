package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Platform;
import dev.berth.PlatformOptions;
import dev.berth.infra.S3Bucket;
import dev.berth.infra.S3ProxyServer;
import dev.berth.kit.Config;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two registry instances on one PostgreSQL and one S3 bucket, the gateway round-robining between
 * them: a chunked upload whose requests land on different instances completes with the right digest.
 */
class ReplicasOnS3Test {

    @Test
    void chunkedUploadSpreadOverTwoReplicasCompletes(@TempDir Path work) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (S3ProxyServer s3 = S3ProxyServer.startOnDisk(java.nio.file.Files.createDirectories(work.resolve("s3")))) {
            S3Bucket bucket = s3.createBucket("replicas");
            Config base = Config.of(Map.of(), Map.of())
                    .with("gateway.auth.enabled", false)
                    .with("registry.storage.driver", "s3")
                    .with("registry.storage.s3.endpoint", bucket.endpoint())
                    .with("registry.storage.s3.region", bucket.region())
                    .with("registry.storage.s3.bucket", bucket.bucket())
                    .with("registry.storage.s3.access-key", bucket.accessKey())
                    .with("registry.storage.s3.secret-key", bucket.secretKey());
            Platform platform = Platform.start(vertx, new PlatformOptions(work.resolve("data"), "127.0.0.1", 0, 2), base)
                    .await(120, TimeUnit.SECONDS);
            try {
                assertThat(platform.registryPorts()).hasSize(2).doesNotHaveDuplicates();
                HttpClient http = HttpClient.newHttpClient();
                String gateway = "http://" + platform.gatewayAddress();
                byte[] blob = new byte[3 * 1024 * 1024];
                new Random(7).nextBytes(blob);
                String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));

                HttpResponse<Void> post = http.send(HttpRequest.newBuilder(URI.create(gateway + "/v2/replicas/app/blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                assertThat(post.statusCode()).isEqualTo(202);
                String location = post.headers().firstValue("Location").orElseThrow();
                int chunk = 1024 * 1024;
                for (int offset = 0; offset < 2 * chunk; offset += chunk) {
                    // Consecutive requests alternate between the replicas.
                    HttpResponse<String> patch = http.send(HttpRequest.newBuilder(URI.create(gateway + location))
                            .header("Content-Range", offset + "-" + (offset + chunk - 1))
                            .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(blob, offset, chunk)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(patch.statusCode()).as(patch.body()).isEqualTo(202);
                    location = patch.headers().firstValue("Location").orElseThrow();
                }
                HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(gateway + location
                                + (location.contains("?") ? "&" : "?") + "digest=" + digest))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(blob, 2 * chunk, blob.length - 2 * chunk)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

                // Either replica serves the blob: the state is shared, not held by one of them.
                for (int port : platform.registryPorts()) {
                    HttpResponse<byte[]> pulled = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v2/replicas/app/blobs/" + digest)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(pulled.statusCode()).isEqualTo(200);
                    assertThat(pulled.body()).isEqualTo(blob);
                }
            } finally {
                platform.stop().await(60, TimeUnit.SECONDS);
            }
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
