package dev.berth.registry.meta;

import io.vertx.core.json.JsonObject;

/** A manifest whose subject is the digest asked about, as the referrers API describes it. */
public record Referrer(String mediaType, String digest, long size, String artifactType, JsonObject annotations) {

    public JsonObject toDescriptor() {
        JsonObject d = new JsonObject().put("mediaType", mediaType).put("digest", digest).put("size", size);
        if (artifactType != null) {
            d.put("artifactType", artifactType);
        }
        if (annotations != null && !annotations.isEmpty()) {
            d.put("annotations", annotations);
        }
        return d;
    }
}
