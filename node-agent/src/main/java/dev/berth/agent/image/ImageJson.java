package dev.berth.agent.image;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** The JSON shapes of the images API. */
final class ImageJson {

    private ImageJson() {
    }

    static JsonObject image(StoredImage image) {
        JsonArray layers = new JsonArray();
        for (StoredImage.Layer layer : image.layers()) {
            layers.add(new JsonObject().put("digest", layer.digest()).put("mediaType", layer.mediaType())
                    .put("size", layer.size()).put("diffId", layer.diffId()));
        }
        return new JsonObject()
                .put("digest", image.digest())
                .put("manifestDigest", image.manifestDigest())
                .put("configDigest", image.configDigest())
                .put("references", new JsonArray(image.references()))
                .put("layers", layers)
                .put("size", image.size())
                .put("unpackedSize", image.unpackedSize())
                .put("pulledAt", image.pulledAt().toString());
    }

    static JsonObject event(PullEvent event) {
        return new JsonObject()
                .put("status", event.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .put("layer", event.layer())
                .put("current", event.bytesDone())
                .put("total", event.bytesTotal());
    }

    static JsonObject gc(GcResult result) {
        return new JsonObject().put("blobs", new JsonArray(result.blobs())).put("rootfs", new JsonArray(result.rootfs()))
                .put("bytesFreed", result.bytesFreed());
    }
}
