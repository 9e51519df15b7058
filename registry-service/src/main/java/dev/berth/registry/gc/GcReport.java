package dev.berth.registry.gc;

import io.vertx.core.json.JsonObject;

/**
 * What one collection deleted, or for a dry run would delete: untagged manifests (and their bytes in
 * the database), blob links of repositories, blobs with their bytes in storage, and abandoned uploads.
 */
public record GcReport(long manifests, long manifestBytes, long blobLinks, long blobs, long blobBytes,
                       long uploads, long uploadBytes) {

    static final GcReport EMPTY = new GcReport(0, 0, 0, 0, 0, 0, 0);

    GcReport plus(GcReport o) {
        return new GcReport(manifests + o.manifests, manifestBytes + o.manifestBytes, blobLinks + o.blobLinks,
                blobs + o.blobs, blobBytes + o.blobBytes, uploads + o.uploads, uploadBytes + o.uploadBytes);
    }

    public JsonObject toJson() {
        return new JsonObject().put("manifests", manifests).put("manifestBytes", manifestBytes)
                .put("blobLinks", blobLinks).put("blobs", blobs).put("blobBytes", blobBytes)
                .put("uploads", uploads).put("uploadBytes", uploadBytes);
    }

    static GcReport fromJson(JsonObject j) {
        return new GcReport(j.getLong("manifests", 0L), j.getLong("manifestBytes", 0L), j.getLong("blobLinks", 0L),
                j.getLong("blobs", 0L), j.getLong("blobBytes", 0L), j.getLong("uploads", 0L), j.getLong("uploadBytes", 0L));
    }
}
