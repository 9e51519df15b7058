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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every manifest change writes its event to the outbox in the same transaction, and only those. */
@ExtendWith(PostgresExtension.class)
class OutboxTest {

    private static Vertx vertx;
    private static RegistryService registry;
    private static String base;
    private static PostgresDatabase database;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(PostgresDatabase db, @TempDir Path storage) throws Exception {
        database = db;
        vertx = Vertx.vertx();
        Config config = TestRegistryConfig.of(db, storage);
        registry = RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + registry.port();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.stop().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    private record Row(String type, JsonObject data) {
    }

    private static List<Row> events(String repository) throws Exception {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             var q = c.prepareStatement("select type, data::text from outbox where subject = ? order by id")) {
            q.setString(1, repository);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getString(1), new JsonObject(rs.getString(2))));
                }
            }
            return out;
        }
    }

    private static int send(String method, String path, String contentType, byte[] body, String requestId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (requestId != null) {
            b.header("X-Request-Id", requestId);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Pushes config + layer and returns an image manifest for them with the given architecture. */
    private static byte[] image(String repository, String arch) throws Exception {
        byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("layer-" + arch).getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(config, layer)) {
            assertThat(send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + Digest.sha256(blob), null, blob, null))
                    .isEqualTo(201);
        }
        return new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("config", new JsonObject().put("mediaType", MediaTypes.OCI_CONFIG)
                        .put("digest", Digest.sha256(config).toString()).put("size", config.length))
                .put("layers", new JsonArray().add(new JsonObject().put("mediaType", MediaTypes.OCI_LAYER_TAR)
                        .put("digest", Digest.sha256(layer).toString()).put("size", layer.length)))
                .encode().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void taggedPushAnnouncesOnceAndTagDeleteIsAnnounced() throws Exception {
        byte[] manifest = image("events/app", "amd64");
        String digest = Digest.sha256(manifest).toString();
        assertThat(send("PUT", "/v2/events/app/manifests/v1", MediaTypes.OCI_MANIFEST, manifest, "req-1")).isEqualTo(201);
        assertThat(send("DELETE", "/v2/events/app/manifests/v1", null, null, "req-2")).isEqualTo(202);

        List<Row> events = events("events/app");
        assertThat(events).extracting(Row::type).containsExactly(
                "dev.berth.repository.created", "dev.berth.image.pushed", "dev.berth.tag.deleted");
        JsonObject pushed = events.get(1).data();
        assertThat(pushed.getString("repository")).isEqualTo("events/app");
        assertThat(pushed.getJsonArray("tags")).containsExactly("v1");
        assertThat(pushed.getString("digest")).isEqualTo(digest);
        assertThat(pushed.getString("mediaType")).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(pushed.getInteger("size")).isEqualTo(manifest.length);
        assertThat(pushed.getString("requestId")).isEqualTo("req-1");
        assertThat(pushed.getString("actor")).isEqualTo("anonymous");
        assertThat(events.get(2).data().getString("tag")).isEqualTo("v1");
    }

    @Test
    void multiArchPushAnnouncesTheTaggedIndexOnly() throws Exception {
        String repo = "events/multi";
        JsonArray children = new JsonArray();
        for (String arch : List.of("amd64", "arm64")) {
            byte[] m = image(repo, arch);
            String d = Digest.sha256(m).toString();
            assertThat(send("PUT", "/v2/" + repo + "/manifests/" + d, MediaTypes.OCI_MANIFEST, m, null)).isEqualTo(201);
            children.add(new JsonObject().put("mediaType", MediaTypes.OCI_MANIFEST).put("digest", d).put("size", m.length)
                    .put("platform", new JsonObject().put("os", "linux").put("architecture", arch)));
        }
        byte[] index = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX)
                .put("manifests", children).encode().getBytes(StandardCharsets.UTF_8);
        assertThat(send("PUT", "/v2/" + repo + "/manifests/latest", MediaTypes.OCI_INDEX, index, null)).isEqualTo(201);

        List<Row> pushes = events(repo).stream().filter(r -> r.type().equals("dev.berth.image.pushed")).toList();
        assertThat(pushes).hasSize(1);
        assertThat(pushes.get(0).data().getString("digest")).isEqualTo(Digest.sha256(index).toString());
        assertThat(pushes.get(0).data().getJsonArray("platforms").stream().map(p -> ((JsonObject) p).getString("architecture")))
                .containsExactly("amd64", "arm64");
    }

    @Test
    void refusedManifestWritesNoEvent() throws Exception {
        byte[] bad = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(send("PUT", "/v2/events/refused/manifests/v1", MediaTypes.OCI_MANIFEST, bad, null)).isEqualTo(400);
        assertThat(events("events/refused")).isEmpty();
    }
}
