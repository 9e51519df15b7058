package dev.berth.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.kit.Config;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.registry.RegistryConfig;
import dev.berth.registry.RegistryService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A running registry and the HTTP calls the policy tests make: admin API calls and pushes as a client makes them. */
final class PolicyRegistry implements AutoCloseable {

    record Reply(int status, String body) {

        JsonObject json() {
            return body == null || body.isBlank() ? null : new JsonObject(body);
        }

        /** The distribution error code, or the admin API's. */
        String code() {
            JsonObject json = json();
            if (json == null) {
                return null;
            }
            if (json.containsKey("errors")) {
                return json.getJsonArray("errors").getJsonObject(0).getString("code");
            }
            return json.getJsonObject("error").getString("code");
        }

        String message() {
            JsonObject json = json();
            return json.containsKey("errors") ? json.getJsonArray("errors").getJsonObject(0).getString("message")
                    : json.getJsonObject("error").getString("message");
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final RegistryService service;
    private final Vertx vertx;

    private PolicyRegistry(Vertx vertx, RegistryService service) {
        this.vertx = vertx;
        this.service = service;
    }

    static PolicyRegistry start(PostgresDatabase db, Path storage, Map<String, Object> overrides) throws Exception {
        Config config = Config.of(Map.of(), Map.of())
                .with("registry.port", 0).with("registry.instances", 2)
                .with("registry.storage.root-dir", storage.toString())
                .with("registry.database.host", db.host()).with("registry.database.port", db.port())
                .with("registry.database.name", db.database()).with("registry.database.user", db.user())
                .with("registry.database.password", db.password());
        for (var entry : overrides.entrySet()) {
            config = config.with(entry.getKey(), entry.getValue());
        }
        Vertx vertx = Vertx.vertx();
        return new PolicyRegistry(vertx, RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS));
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + service.port() + path);
    }

    Reply call(String method, String path, String body) throws Exception {
        return call(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                body == null ? null : "application/json");
    }

    Reply call(String method, String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    byte[] get(String path) throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
        return response.statusCode() == 200 ? response.body() : null;
    }

    JsonObject ok(String method, String path, String body) throws Exception {
        Reply reply = call(method, path, body);
        assertThat(reply.status()).as("%s %s: %s", method, path, reply.body()).isBetween(200, 299);
        return reply.json();
    }

    long used(String namespace) throws Exception {
        return ok("GET", "/api/v1/registry/namespaces/" + namespace + "/quota", null).getLong("usedBytes");
    }

    /** A blob in one request (POST ?digest=). */
    Reply pushBlob(String repository, byte[] content) throws Exception {
        return call("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + Digest.sha256(content), content,
                "application/octet-stream");
    }

    /** A blob as docker sends it: POST a session, PATCH the bytes, PUT ?digest=. */
    Reply pushBlobInSession(String repository, byte[] content) throws Exception {
        HttpResponse<Void> started = http.send(HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(started.statusCode()).isEqualTo(202);
        String location = started.headers().firstValue("Location").orElseThrow();
        HttpResponse<Void> patched = http.send(HttpRequest.newBuilder(uri(location))
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(patched.statusCode()).isEqualTo(202);
        return call("PUT", location + "?digest=" + Digest.sha256(content), null, null);
    }

    Reply mount(String repository, String from, String digest) throws Exception {
        return call("POST", "/v2/" + repository + "/blobs/uploads/?mount=" + digest + "&from=" + from, null, null);
    }

    /** An image manifest over {@code config} and {@code layers} (all pushed already). */
    static byte[] manifest(byte[] config, List<byte[]> layers) {
        JsonArray layerArray = new JsonArray();
        for (byte[] layer : layers) {
            layerArray.add(new JsonObject().put("mediaType", MediaTypes.OCI_LAYER_GZIP)
                    .put("digest", Digest.sha256(layer).toString()).put("size", layer.length));
        }
        return new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("config", new JsonObject().put("mediaType", MediaTypes.OCI_CONFIG)
                        .put("digest", Digest.sha256(config).toString()).put("size", config.length))
                .put("layers", layerArray).encode().getBytes(StandardCharsets.UTF_8);
    }

    Reply putManifest(String repository, String reference, byte[] manifest) throws Exception {
        return call("PUT", "/v2/" + repository + "/manifests/" + reference, manifest, MediaTypes.OCI_MANIFEST);
    }

    /** Pushes a config blob and a manifest on it tagged {@code tag}; the manifest's digest. */
    String pushImage(String repository, String tag, String marker) throws Exception {
        byte[] config = ("{\"os\":\"linux\",\"architecture\":\"amd64\",\"marker\":\"" + marker + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(pushBlob(repository, config).status()).isEqualTo(201);
        byte[] manifest = manifest(config, List.of());
        Reply put = putManifest(repository, tag == null ? Digest.sha256(manifest).toString() : tag, manifest);
        assertThat(put.status()).as("manifest push: %s", put.body()).isEqualTo(201);
        return Digest.sha256(manifest).toString();
    }

    List<String> tags(String repository) throws Exception {
        Reply reply = call("GET", "/v2/" + repository + "/tags/list", null);
        if (reply.status() == 404) {
            return List.of();
        }
        JsonArray tags = reply.json().getJsonArray("tags");
        return tags == null ? List.of() : tags.stream().map(String::valueOf).toList();
    }

    @Override
    public void close() throws Exception {
        try {
            service.stop().await(30, TimeUnit.SECONDS);
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
