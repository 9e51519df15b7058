package dev.berth.registry.gc;

import static dev.berth.registry.gc.GcRegistry.Blob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.oci.MediaTypes;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The locking between collection and pushes, step by step: a test transaction takes the locks the
 * collector (or a push) takes, a real request runs into them, and the test lets go in a chosen order.
 */
@ExtendWith(PostgresExtension.class)
class GcRaceTest {

    private static Vertx vertx;
    private static GcRegistry registry;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(PostgresDatabase db, @TempDir Path storage) throws Exception {
        vertx = Vertx.vertx();
        registry = GcRegistry.start(vertx, db, storage, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @BeforeEach
    void empty() throws Exception {
        registry.sql("truncate repositories, blobs, uploads, gc_runs cascade");
    }

    /** Waits until some statement waits for a lock: the request has reached the lock under test. */
    private void awaitLockWait() throws Exception {
        for (int i = 0; i < 600 && registry.count("select count(*) from pg_locks where not granted") == 0; i++) {
            Thread.sleep(50);
        }
        assertThat(registry.count("select count(*) from pg_locks where not granted")).as("a request waits for the lock")
                .isPositive();
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String type, byte[] body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(registry.base + path)).header("Content-Type", type)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aManifestPutWaitingForALinkTheCollectorDeletesIsRefusedAndStoresNothing() throws Exception {
        Blob layer = Blob.of("race layer 1");
        Blob config = Blob.of("{\"race\":1}");
        registry.upload("race/one", layer);
        registry.upload("race/one", config);
        SqlConnection conn = registry.pool.getConnection().await(10, TimeUnit.SECONDS);
        Transaction tx = conn.begin().await(10, TimeUnit.SECONDS);
        conn.preparedQuery("select 1 from repository_blobs where repository = $1 and digest = $2 for update")
                .execute(Tuple.of("race/one", layer.digest().toString())).await(10, TimeUnit.SECONDS);

        byte[] manifest = GcRegistry.imageManifest(config, List.of(layer), null);
        CompletableFuture<HttpResponse<String>> put = sendAsync("PUT", "/v2/race/one/manifests/v1", MediaTypes.OCI_MANIFEST, manifest);
        awaitLockWait();
        conn.preparedQuery("delete from repository_blobs where repository = $1 and digest = $2")
                .execute(Tuple.of("race/one", layer.digest().toString())).await(10, TimeUnit.SECONDS);
        tx.commit().await(10, TimeUnit.SECONDS);
        conn.close();

        HttpResponse<String> refused = put.get(60, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("MANIFEST_BLOB_UNKNOWN").contains(layer.digest().toString());
        assertThat(registry.getManifest("race/one", "v1")).isEqualTo(404);
        assertThat(registry.count("select count(*) from manifests where repository = 'race/one'")).isZero();
    }

    @Test
    void aCollectionPassesOverALinkAManifestPutHoldsAndLeavesItsBytes() throws Exception {
        Blob layer = Blob.of("race layer 2");
        registry.upload("race/two", layer);
        registry.sql("update repository_blobs set touched_at = now() - interval '2 hours' where repository = 'race/two'");
        SqlConnection conn = registry.pool.getConnection().await(10, TimeUnit.SECONDS);
        Transaction tx = conn.begin().await(10, TimeUnit.SECONDS);
        conn.preparedQuery("select 1 from repository_blobs where repository = $1 and digest = $2 for key share")
                .execute(Tuple.of("race/two", layer.digest().toString())).await(10, TimeUnit.SECONDS);

        GcReport report = registry.collect(false);
        tx.commit().await(10, TimeUnit.SECONDS);
        conn.close();

        assertThat(report.blobLinks()).isZero();
        assertThat(report.blobs()).isZero();
        registry.pullBlob("race/two", layer.digest());
    }

    @Test
    void anUploadOfABlobWhoseBytesTheCollectorIsDeletingWaitsAndStoresThemAgain() throws Exception {
        Blob layer = Blob.of("race layer 3");
        registry.upload("race/three", layer);
        registry.sql("delete from repository_blobs where repository = 'race/three'");
        SqlConnection conn = registry.pool.getConnection().await(10, TimeUnit.SECONDS);
        Transaction tx = conn.begin().await(10, TimeUnit.SECONDS);
        conn.preparedQuery("select 1 from blobs where digest = $1 for update")
                .execute(Tuple.of(layer.digest().toString())).await(10, TimeUnit.SECONDS);

        CompletableFuture<HttpResponse<String>> upload = sendAsync("POST",
                "/v2/race/three/blobs/uploads/?digest=" + layer.digest(), "application/octet-stream", layer.bytes());
        awaitLockWait();
        Files.delete(registry.storage().resolve("blobs/sha256/" + layer.digest().hex().substring(0, 2) + "/"
                + layer.digest().hex()));
        conn.preparedQuery("delete from blobs where digest = $1").execute(Tuple.of(layer.digest().toString()))
                .await(10, TimeUnit.SECONDS);
        tx.commit().await(10, TimeUnit.SECONDS);
        conn.close();

        assertThat(upload.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        registry.pullBlob("race/three", layer.digest());
    }

    @Test
    void aMountFromALinkTheCollectorDeletedStartsAnUploadInstead() throws Exception {
        Blob layer = Blob.of("race layer 4");
        registry.upload("race/source", layer);
        SqlConnection conn = registry.pool.getConnection().await(10, TimeUnit.SECONDS);
        Transaction tx = conn.begin().await(10, TimeUnit.SECONDS);
        conn.preparedQuery("select 1 from repository_blobs where repository = $1 and digest = $2 for update")
                .execute(Tuple.of("race/source", layer.digest().toString())).await(10, TimeUnit.SECONDS);

        CompletableFuture<HttpResponse<String>> mount = sendAsync("POST", "/v2/race/target/blobs/uploads/?mount="
                + layer.digest() + "&from=race/source", "application/octet-stream", new byte[0]);
        awaitLockWait();
        conn.preparedQuery("delete from repository_blobs where repository = $1 and digest = $2")
                .execute(Tuple.of("race/source", layer.digest().toString())).await(10, TimeUnit.SECONDS);
        tx.commit().await(10, TimeUnit.SECONDS);
        conn.close();

        assertThat(mount.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
        assertThat(registry.headBlob("race/target", layer.digest())).isEqualTo(404);
    }

    @Test
    void aChunkWrittenWhileTheCollectorPurgesItsSessionLeavesNoBytesBehind() throws Exception {
        String location = registry.send("POST", "/v2/race/purge/blobs/uploads/", null, null).headers()
                .firstValue("Location").orElseThrow();
        String id = location.substring(location.lastIndexOf('/') + 1);
        SqlConnection conn = registry.pool.getConnection().await(10, TimeUnit.SECONDS);
        Transaction tx = conn.begin().await(10, TimeUnit.SECONDS);
        conn.preparedQuery("select 1 from uploads where id = $1::uuid for update").execute(Tuple.of(id))
                .await(10, TimeUnit.SECONDS);

        CompletableFuture<HttpResponse<String>> patch = sendAsync("PATCH", location, "application/octet-stream",
                new byte[4096]);
        awaitLockWait();
        conn.preparedQuery("delete from uploads where id = $1::uuid").execute(Tuple.of(id)).await(10, TimeUnit.SECONDS);
        tx.commit().await(10, TimeUnit.SECONDS);
        conn.close();

        HttpResponse<String> refused = patch.get(60, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(refused.body()).contains("BLOB_UPLOAD_UNKNOWN");
        assertThat(registry.storage().resolve("uploads/" + id)).doesNotExist();
    }
}
