package dev.berth.registry.webhooks;

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
import java.util.concurrent.TimeUnit;

/** A running registry with its webhook API, and the HTTP calls tests make to it. */
final class RegistryUnderTest implements AutoCloseable {

    record Reply(int status, JsonObject json) {
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final RegistryService service;

    private RegistryUnderTest(RegistryService service) {
        this.service = service;
    }

    static RegistryUnderTest start(Vertx vertx, PostgresDatabase db, Path storage, String kafka, boolean allowPrivate)
            throws Exception {
        return start(vertx, db, storage, kafka, allowPrivate, java.util.Map.of());
    }

    /** {@code overrides}: further config keys, e.g. a short {@code registry.webhooks.disable-after}. */
    static RegistryUnderTest start(Vertx vertx, PostgresDatabase db, Path storage, String kafka, boolean allowPrivate,
                                   java.util.Map<String, Object> overrides) throws Exception {
        Config config = Config.of(java.util.Map.of(), java.util.Map.of())
                .with("registry.port", 0).with("registry.instances", 1)
                .with("registry.storage.root-dir", storage.toString())
                .with("registry.database.host", db.host()).with("registry.database.port", db.port())
                .with("registry.database.name", db.database()).with("registry.database.user", db.user())
                .with("registry.database.password", db.password())
                .with("registry.events.kafka-bootstrap-servers", kafka)
                .with("registry.webhooks.allow-private-targets", allowPrivate)
                .with("registry.webhooks.retry-schedule", "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s")
                .with("registry.webhooks.poll-interval", "200ms")
                .with("registry.webhooks.request-timeout", "5s");
        for (var entry : overrides.entrySet()) {
            config = config.with(entry.getKey(), entry.getValue());
        }
        return new RegistryUnderTest(RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS));
    }

    Reply call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String text = response.body();
        return new Reply(response.statusCode(), text == null || text.isBlank() ? null : new JsonObject(text));
    }

    JsonObject createWebhook(JsonObject subscription) throws Exception {
        Reply reply = call("POST", "/api/v1/webhooks", subscription.encode());
        assertThat(reply.status()).as("create webhook: %s", reply.json()).isEqualTo(201);
        return reply.json();
    }

    JsonObject webhook(String id) throws Exception {
        return call("GET", "/api/v1/webhooks/" + id, null).json();
    }

    JsonArray deliveries(String id) throws Exception {
        return call("GET", "/api/v1/webhooks/" + id + "/deliveries", null).json().getJsonArray("deliveries");
    }

    /** Pushes a one-config image tagged {@code tag}, as a client would. */
    void push(String repository, String tag) throws Exception {
        String base = "http://127.0.0.1:" + service.port() + "/v2/" + repository;
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"tag\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/?digest=" + configDigest))
                .POST(HttpRequest.BodyPublishers.ofByteArray(config)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(201);
        String manifest = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("config", new JsonObject().put("mediaType", MediaTypes.OCI_CONFIG)
                        .put("digest", configDigest.toString()).put("size", config.length))
                .put("layers", new JsonArray()).encode();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/manifests/" + tag))
                .header("Content-Type", MediaTypes.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(201);
    }

    @Override
    public void close() throws Exception {
        service.stop().await(30, TimeUnit.SECONDS);
    }
}
