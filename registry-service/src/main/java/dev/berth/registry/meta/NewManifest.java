package dev.berth.registry.meta;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Everything stored for one manifest PUT; {@code platforms} lists an index's children's platforms. */
public record NewManifest(String repository, String digest, String mediaType, String contentType, byte[] content,
                          String artifactType, String subject, JsonObject annotations,
                          List<String> blobReferences, List<String> manifestReferences, List<String> tags,
                          JsonArray platforms) {
}
