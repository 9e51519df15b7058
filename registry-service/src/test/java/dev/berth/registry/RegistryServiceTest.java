package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
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
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The registry service on its own, against real PostgreSQL: a push and pull the way clients do them. */
@ExtendWith(PostgresExtension.class)
class RegistryServiceTest {

    private static Vertx vertx;
    private static RegistryService registry;
    private static String base;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(PostgresDatabase db, @TempDir Path storage) throws Exception {
        vertx = Vertx.vertx();
        Config config = TestRegistryConfig.of(db, storage).with("registry.instances", 2);
        registry = RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + registry.port();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.stop().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest.Builder at(String pathOrUrl) {
        return HttpRequest.newBuilder(URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl));
    }

    @Test
    void chunkedPushThenManifestByTagPullsBackByteExact() throws Exception {
        byte[] layer = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(layer);
        Digest layerDigest = Digest.sha256(layer);

        HttpResponse<byte[]> post = send(at("/v2/team/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(post.statusCode()).isEqualTo(202);
        String location = post.headers().firstValue("Location").orElseThrow();

        int half = layer.length / 2;
        HttpResponse<byte[]> first = send(at(location).header("Content-Type", "application/octet-stream")
                .header("Content-Range", "0-" + (half - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(layer, 0, half)));
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("Range")).hasValue("0-" + (half - 1));

        HttpResponse<byte[]> outOfOrder = send(at(location).header("Content-Range", "5-9")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[5])));
        assertThat(outOfOrder.statusCode()).isEqualTo(416);

        HttpResponse<byte[]> put = send(at(location + "?digest=" + layerDigest)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(layer, half, layer.length - half)));
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("Docker-Content-Digest")).hasValue(layerDigest.toString());

        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        HttpResponse<byte[]> mono = send(at("/v2/team/app/blobs/uploads/?digest=" + configDigest)
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(config)));
        assertThat(mono.statusCode()).isEqualTo(201);

        byte[] manifest = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("config", new JsonObject().put("mediaType", MediaTypes.OCI_CONFIG)
                        .put("digest", configDigest.toString()).put("size", config.length))
                .put("layers", new JsonArray().add(new JsonObject().put("mediaType", MediaTypes.OCI_LAYER_GZIP)
                        .put("digest", layerDigest.toString()).put("size", layer.length)))
                .encodePrettily().getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> putManifest = send(at("/v2/team/app/manifests/v1")
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        assertThat(putManifest.statusCode()).isEqualTo(201);
        assertThat(putManifest.headers().firstValue("Docker-Content-Digest")).hasValue(Digest.sha256(manifest).toString());

        HttpResponse<byte[]> got = send(at("/v2/team/app/manifests/v1").header("Accept", MediaTypes.OCI_MANIFEST));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(manifest);
        assertThat(got.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_MANIFEST);

        HttpResponse<byte[]> blob = send(at("/v2/team/app/blobs/" + layerDigest));
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(blob.body())).isEqualTo(layerDigest);

        HttpResponse<byte[]> range = send(at("/v2/team/app/blobs/" + layerDigest).header("Range", "bytes=10-19"));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).containsExactly(java.util.Arrays.copyOfRange(layer, 10, 20));

        HttpResponse<byte[]> tags = send(at("/v2/team/app/tags/list"));
        assertThat(new JsonObject(new String(tags.body(), StandardCharsets.UTF_8)).getJsonArray("tags"))
                .containsExactly("v1");
    }

    @Test
    void aMethodARouteDoesNotServeIs405Unsupported() throws Exception {
        String digest = "sha256:" + "b".repeat(64);
        for (HttpRequest.Builder request : java.util.List.of(
                at("/v2/team/app/manifests/v1").method("PATCH", HttpRequest.BodyPublishers.noBody()),
                at("/v2/team/app/blobs/" + digest).POST(HttpRequest.BodyPublishers.noBody()),
                at("/v2/team/app/blobs/uploads/").GET(),
                at("/v2/team/app/tags/list").DELETE())) {
            HttpResponse<byte[]> response = send(request);
            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("\"UNSUPPORTED\"");
        }
        assertThat(send(at("/v2/team/app/tags/list")).statusCode()).as("nothing was created").isEqualTo(404);
    }

    @Test
    void manifestNamingAMissingBlobIsRefusedAndNothingIsStored() throws Exception {
        String missing = "sha256:" + "a".repeat(64);
        byte[] manifest = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("config", new JsonObject().put("mediaType", MediaTypes.OCI_CONFIG).put("digest", missing).put("size", 2))
                .put("layers", new JsonArray()).encode().getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = send(at("/v2/lonely/manifests/v1")
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(new String(put.body(), StandardCharsets.UTF_8)).contains("MANIFEST_BLOB_UNKNOWN").contains(missing);
        assertThat(send(at("/v2/lonely/manifests/v1")).statusCode()).isEqualTo(404);
        assertThat(send(at("/v2/lonely/tags/list")).statusCode()).isEqualTo(404);
    }
}
