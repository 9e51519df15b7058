package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.infra.S3Bucket;
import dev.berth.infra.S3ProxyExtension;
import dev.berth.kit.Config;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two registry instances on one PostgreSQL database and one S3 bucket (S3Proxy): an upload started on
 * one continues on the other, the way a load balancer spreads a push, and pulls stream from S3.
 */
@ExtendWith({PostgresExtension.class, S3ProxyExtension.class})
class RegistryServiceS3Test {

    private static final int MIB = 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Vertx vertx;
    private static RegistryService first;
    private static RegistryService second;

    @BeforeAll
    static void start(PostgresDatabase db, S3Bucket bucket) throws Exception {
        vertx = Vertx.vertx();
        Config config = Config.of(Map.of(), Map.of())
                .with("registry.port", 0)
                .with("registry.instances", 1)
                .with("registry.storage.driver", "s3")
                .with("registry.storage.s3.endpoint", bucket.endpoint())
                .with("registry.storage.s3.region", bucket.region())
                .with("registry.storage.s3.bucket", bucket.bucket())
                .with("registry.storage.s3.access-key", bucket.accessKey())
                .with("registry.storage.s3.secret-key", bucket.secretKey())
                .with("registry.storage.s3.part-size", 5 * MIB)
                .with("registry.database.host", db.host())
                .with("registry.database.port", db.port())
                .with("registry.database.name", db.database())
                .with("registry.database.user", db.user())
                .with("registry.database.password", db.password());
        first = RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS);
        second = RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        first.stop().await(30, TimeUnit.SECONDS);
        second.stop().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    private static String base(RegistryService instance) {
        return "http://127.0.0.1:" + instance.port();
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest.Builder at(RegistryService instance, String path) {
        return HttpRequest.newBuilder(URI.create(base(instance) + path));
    }

    @Test
    void aChunkedPushSpreadOverTwoInstancesPullsBackByteExact() throws Exception {
        byte[] layer = new byte[9 * MIB + 123];
        new Random(7).nextBytes(layer);
        Digest layerDigest = Digest.sha256(layer);

        HttpResponse<byte[]> post = send(at(first, "/v2/s3/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(post.statusCode()).isEqualTo(202);
        String location = post.headers().firstValue("Location").orElseThrow();

        int cut1 = 3 * MIB;
        int cut2 = cut1 + 6 * MIB;
        HttpResponse<byte[]> chunk1 = send(at(first, location).header("Content-Range", "0-" + (cut1 - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(layer, 0, cut1)));
        assertThat(chunk1.statusCode()).isEqualTo(202);
        // The second chunk, more than a part, goes to the other instance: it continues from the bucket.
        HttpResponse<byte[]> chunk2 = send(at(second, location).header("Content-Range", cut1 + "-" + (cut2 - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(layer, cut1, cut2 - cut1)));
        assertThat(chunk2.statusCode()).isEqualTo(202);
        assertThat(chunk2.headers().firstValue("Range")).hasValue("0-" + (cut2 - 1));

        // The first instance has no running hash for bytes it did not see: it hashes what S3 holds.
        HttpResponse<byte[]> put = send(at(first, location + "?digest=" + layerDigest)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(layer, cut2, layer.length - cut2)));
        assertThat(put.statusCode()).isEqualTo(201);

        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        assertThat(send(at(second, "/v2/s3/app/blobs/uploads/?digest=" + configDigest)
                .POST(HttpRequest.BodyPublishers.ofByteArray(config))).statusCode()).isEqualTo(201);

        byte[] manifest = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("config", new JsonObject().put("mediaType", MediaTypes.OCI_CONFIG)
                        .put("digest", configDigest.toString()).put("size", config.length))
                .put("layers", new JsonArray().add(new JsonObject().put("mediaType", MediaTypes.OCI_LAYER_GZIP)
                        .put("digest", layerDigest.toString()).put("size", layer.length)))
                .encode().getBytes(StandardCharsets.UTF_8);
        assertThat(send(at(second, "/v2/s3/app/manifests/v1").header("Content-Type", MediaTypes.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))).statusCode()).isEqualTo(201);

        HttpResponse<byte[]> blob = send(at(second, "/v2/s3/app/blobs/" + layerDigest));
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(blob.body())).isEqualTo(layerDigest);

        HttpResponse<byte[]> range = send(at(first, "/v2/s3/app/blobs/" + layerDigest)
                .header("Range", "bytes=" + (cut1 - 10) + "-" + (cut1 + 9)));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).containsExactly(Arrays.copyOfRange(layer, cut1 - 10, cut1 + 10));

        HttpResponse<byte[]> pulledConfig = send(at(first, "/v2/s3/app/blobs/" + configDigest));
        assertThat(pulledConfig.body()).isEqualTo(config);
    }

    @Test
    void aStreamedPatchWithoutContentRangeAndAWrongDigestStoresNothing() throws Exception {
        byte[] layer = new byte[11 * MIB];
        new Random(8).nextBytes(layer);
        Digest digest = Digest.sha256(layer);

        String location = send(at(first, "/v2/s3/docker/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()))
                .headers().firstValue("Location").orElseThrow();
        assertThat(send(at(first, location).method("PATCH", HttpRequest.BodyPublishers.ofByteArray(layer)))
                .statusCode()).isEqualTo(202);
        String wrong = "sha256:" + "0".repeat(64);
        HttpResponse<byte[]> refused = send(at(second, location + "?digest=" + wrong)
                .PUT(HttpRequest.BodyPublishers.noBody()));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("DIGEST_INVALID");
        assertThat(send(at(first, "/v2/s3/docker/blobs/" + wrong)).statusCode()).isEqualTo(404);

        // Docker's way: one streamed PATCH, then a PUT without a body.
        String retry = send(at(second, "/v2/s3/docker/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()))
                .headers().firstValue("Location").orElseThrow();
        assertThat(send(at(second, retry).method("PATCH", HttpRequest.BodyPublishers.ofByteArray(layer)))
                .statusCode()).isEqualTo(202);
        assertThat(send(at(second, retry + "?digest=" + digest).PUT(HttpRequest.BodyPublishers.noBody()))
                .statusCode()).isEqualTo(201);
        HttpResponse<byte[]> head = send(at(first, "/v2/s3/docker/blobs/" + digest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(Long.toString(layer.length));
        assertThat(Digest.sha256(send(at(first, "/v2/s3/docker/blobs/" + digest)).body())).isEqualTo(digest);
        assertThat(send(at(first, "/ready")).statusCode()).isEqualTo(200);
    }
}
