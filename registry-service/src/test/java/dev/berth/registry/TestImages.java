package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Pushes the smallest real image (a config blob and a manifest) the way a client does. */
final class TestImages {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestImages() {
    }

    /** Pushes an image tagged {@code tag} (its config names the tag, so each tag is a new image); its digest. */
    static String push(int port, String repository, String tag) throws Exception {
        String base = "http://127.0.0.1:" + port + "/v2/" + repository;
        byte[] config = ("{\"os\":\"linux\",\"architecture\":\"amd64\",\"tag\":\"" + tag + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/?digest=" + Digest.sha256(config)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(config)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(201);
        byte[] manifest = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("config", new JsonObject().put("mediaType", MediaTypes.OCI_CONFIG)
                        .put("digest", Digest.sha256(config).toString()).put("size", config.length))
                .put("layers", new JsonArray()).encode().getBytes(StandardCharsets.UTF_8);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/manifests/" + tag))
                .header("Content-Type", MediaTypes.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(201);
        return Digest.sha256(manifest).toString();
    }
}
