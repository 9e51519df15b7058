package dev.berth.registry.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.kit.Config;
import dev.berth.kit.Database;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.registry.RegistryConfig;
import dev.berth.registry.RegistryService;
import dev.berth.registry.storage.BlobStore;
import dev.berth.registry.storage.FilesystemDriver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A registry on filesystem storage and real PostgreSQL, with the calls GC tests make: pushes and
 * pulls over HTTP, a collector of their own (any settings) on the same database and storage, and
 * SQL to age rows past the grace period instead of waiting.
 */
final class GcRegistry implements AutoCloseable {

    record Blob(Digest digest, byte[] bytes) {
        static Blob of(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return new Blob(Digest.sha256(bytes), bytes);
        }

        JsonObject descriptor(String mediaType) {
            return new JsonObject().put("mediaType", mediaType).put("digest", digest.toString()).put("size", bytes.length);
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final Vertx vertx;
    private final RegistryService service;
    private final Path storage;
    final Pool pool;
    final String base;

    private GcRegistry(Vertx vertx, RegistryService service, Path storage, Pool pool) {
        this.vertx = vertx;
        this.service = service;
        this.storage = storage;
        this.pool = pool;
        this.base = "http://127.0.0.1:" + service.port();
    }

    static GcRegistry start(Vertx vertx, PostgresDatabase db, Path storage, Map<String, Object> overrides) throws Exception {
        Config config = Config.of(Map.of(), Map.of())
                .with("registry.port", 0).with("registry.instances", 2)
                .with("registry.storage.root-dir", storage.toString())
                .with("registry.database.host", db.host()).with("registry.database.port", db.port())
                .with("registry.database.name", db.database()).with("registry.database.user", db.user())
                .with("registry.database.password", db.password());
        for (var entry : overrides.entrySet()) {
            config = config.with(entry.getKey(), entry.getValue());
        }
        RegistryConfig settings = RegistryConfig.from(config);
        RegistryService service = RegistryService.start(vertx, settings).await(60, TimeUnit.SECONDS);
        return new GcRegistry(vertx, service, storage, Database.pool(vertx, settings.database()));
    }

    /** A collector on this registry's database and storage. */
    GarbageCollector collector(boolean deleteUntagged) {
        return collector(GcSettings.defaults().withDeleteUntagged(deleteUntagged));
    }

    /** Batches of 2 rows, so that every phase of these small registries spans several batches. */
    GarbageCollector collector(GcSettings settings) {
        return new GarbageCollector(pool, new BlobStore(new FilesystemDriver(vertx, storage)), settings, 2);
    }

    GcReport collect(boolean deleteUntagged) throws Exception {
        return collector(deleteUntagged).collect().await(120, TimeUnit.SECONDS);
    }

    GcReport estimate(boolean deleteUntagged) throws Exception {
        return collector(deleteUntagged).estimate().await(60, TimeUnit.SECONDS);
    }

    /** Moves every use of links and manifests two hours back: past the default grace period. */
    void ageEverything() throws Exception {
        sql("update repository_blobs set touched_at = now() - interval '2 hours'");
        sql("update manifests set touched_at = now() - interval '2 hours'");
    }

    void sql(String statement) throws Exception {
        pool.query(statement).execute().await(30, TimeUnit.SECONDS);
    }

    long count(String query) throws Exception {
        return pool.query(query).execute().await(30, TimeUnit.SECONDS).iterator().next().getLong(0);
    }

    boolean storedBytes(Digest digest) {
        return Files.exists(storage.resolve("blobs/" + digest.algorithm() + "/" + digest.hex().substring(0, 2) + "/" + digest.hex()));
    }

    Path storage() {
        return storage;
    }

    // ---- HTTP

    HttpResponse<byte[]> send(String method, String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A monolithic upload (POST with ?digest=); the status. */
    int upload(String repository, Blob blob) throws Exception {
        return send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + blob.digest(), "application/octet-stream",
                blob.bytes()).statusCode();
    }

    int headBlob(String repository, Digest digest) throws Exception {
        return send("HEAD", "/v2/" + repository + "/blobs/" + digest, null, null).statusCode();
    }

    /** The blob's bytes, checked against its digest; fails the test when it cannot be pulled. */
    byte[] pullBlob(String repository, Digest digest) throws Exception {
        HttpResponse<byte[]> got = send("GET", "/v2/" + repository + "/blobs/" + digest, null, null);
        assertThat(got.statusCode()).as("GET blob %s in %s", digest, repository).isEqualTo(200);
        assertThat(Digest.of(digest.algorithm(), got.body())).as("bytes of %s", digest).isEqualTo(digest);
        return got.body();
    }

    HttpResponse<byte[]> putManifest(String repository, String reference, String mediaType, byte[] manifest) throws Exception {
        return send("PUT", "/v2/" + repository + "/manifests/" + reference, mediaType, manifest);
    }

    int getManifest(String repository, String reference) throws Exception {
        return send("GET", "/v2/" + repository + "/manifests/" + reference, null, null).statusCode();
    }

    static byte[] imageManifest(Blob config, List<Blob> layers, Digest subject) {
        JsonObject m = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("config", config.descriptor(MediaTypes.OCI_CONFIG))
                .put("layers", new JsonArray(layers.stream().map(l -> l.descriptor(MediaTypes.OCI_LAYER_TAR)).toList()));
        if (subject != null) {
            m.put("subject", new JsonObject().put("mediaType", MediaTypes.OCI_MANIFEST)
                    .put("digest", subject.toString()).put("size", 2));
        }
        return m.encode().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] index(List<byte[]> children) {
        return new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX)
                .put("manifests", new JsonArray(children.stream().map(c -> new JsonObject()
                        .put("mediaType", MediaTypes.OCI_MANIFEST).put("digest", Digest.sha256(c).toString())
                        .put("size", c.length)).toList()))
                .encode().getBytes(StandardCharsets.UTF_8);
    }

    /** Uploads config and layers, then puts the manifest under {@code reference}; the manifest's bytes. */
    byte[] pushImage(String repository, String reference, Blob config, List<Blob> layers) throws Exception {
        for (Blob blob : layers) {
            assertThat(upload(repository, blob)).isEqualTo(201);
        }
        assertThat(upload(repository, config)).isEqualTo(201);
        byte[] manifest = imageManifest(config, layers, null);
        assertThat(putManifest(repository, reference, MediaTypes.OCI_MANIFEST, manifest).statusCode()).isEqualTo(201);
        return manifest;
    }

    /** A call to the JSON admin API; the status and the body (null when empty). */
    record Reply(int status, JsonObject json) {
    }

    Reply api(String method, String path, String body) throws Exception {
        HttpResponse<byte[]> r = send(method, path, body == null ? null : "application/json",
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        String text = new String(r.body(), StandardCharsets.UTF_8);
        return new Reply(r.statusCode(), text.isBlank() ? null : new JsonObject(text));
    }

    @Override
    public void close() throws Exception {
        pool.close().await(10, TimeUnit.SECONDS);
        service.stop().await(30, TimeUnit.SECONDS);
    }
}
