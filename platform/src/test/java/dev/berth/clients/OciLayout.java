package dev.berth.clients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Reads and extends an OCI image layout on disk (index.json + blobs/sha256), the form umoci
 * builds and skopeo reads and writes. The tests use it to see what a client stored, not the
 * project's own oci module, so a bug there cannot hide a bug in the registry.
 */
final class OciLayout {

    static final String REF_NAME = "org.opencontainers.image.ref.name";

    private final Path root;

    OciLayout(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    JsonObject index() {
        return new JsonObject(read(root.resolve("index.json")));
    }

    /** The descriptor index.json holds for a tag; fails when the tag is not there. */
    JsonObject descriptor(String tag) {
        JsonArray manifests = index().getJsonArray("manifests");
        for (int i = 0; i < manifests.size(); i++) {
            JsonObject descriptor = manifests.getJsonObject(i);
            JsonObject annotations = descriptor.getJsonObject("annotations", new JsonObject());
            if (tag.equals(annotations.getString(REF_NAME))) {
                return descriptor;
            }
        }
        throw new AssertionError("no tag '" + tag + "' in " + root.resolve("index.json") + ": " + index());
    }

    String digest(String tag) {
        return descriptor(tag).getString("digest");
    }

    Path blobPath(String digest) {
        return root.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    boolean hasBlob(String digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    JsonObject blobJson(String digest) {
        return new JsonObject(read(blobPath(digest)));
    }

    /** Stores bytes as a blob and returns their digest. */
    String writeBlob(byte[] content) {
        String digest = sha256(content);
        try {
            Path path = blobPath(digest);
            Files.createDirectories(path.getParent());
            Files.write(path, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digest;
    }

    /** Adds a tagged descriptor to index.json. */
    void tag(String tag, JsonObject descriptor) {
        JsonObject index = index();
        index.getJsonArray("manifests").add(descriptor.copy()
                .put("annotations", new JsonObject().put(REF_NAME, tag)));
        try {
            Files.writeString(root.resolve("index.json"), index.encode());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
