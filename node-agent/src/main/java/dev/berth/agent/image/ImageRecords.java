package dev.berth.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The image metadata on disk: one JSON file per image, {@code meta/<algorithm>-<hex>.json} named by its digest, written to a
 * temp file and renamed, so a crash leaves the old record or the new one, never half of one.
 */
final class ImageRecords {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    ImageRecords(Path dir) {
        this.dir = dir;
    }

    List<StoredImage> loadAll() throws IOException {
        List<StoredImage> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                out.add(read(JSON.readTree(file.toFile())));
            }
        }
        return out;
    }

    void save(StoredImage image) throws IOException {
        Path target = file(image.digest());
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(image)));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    void delete(String digest) throws IOException {
        Files.deleteIfExists(file(digest));
    }

    /** Leftover temp files of interrupted saves. */
    void cleanTemps() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
    }

    private Path file(String digest) {
        return dir.resolve(digest.replace(':', '-') + ".json");
    }

    static ObjectNode toJson(StoredImage image) {
        ObjectNode node = JSON.createObjectNode()
                .put("digest", image.digest())
                .put("manifestDigest", image.manifestDigest())
                .put("configDigest", image.configDigest());
        image.references().forEach(node.putArray("references")::add);
        var layers = node.putArray("layers");
        for (StoredImage.Layer layer : image.layers()) {
            layers.addObject().put("digest", layer.digest()).put("mediaType", layer.mediaType())
                    .put("size", layer.size()).put("diffId", layer.diffId());
        }
        node.put("size", image.size()).put("unpackedSize", image.unpackedSize())
                .put("pulledAt", image.pulledAt().toString());
        return node;
    }

    private static StoredImage read(JsonNode node) {
        List<String> refs = new ArrayList<>();
        node.path("references").forEach(r -> refs.add(r.asText()));
        List<StoredImage.Layer> layers = new ArrayList<>();
        node.path("layers").forEach(l -> layers.add(new StoredImage.Layer(l.path("digest").asText(),
                l.path("mediaType").asText(), l.path("size").asLong(), l.path("diffId").asText())));
        return new StoredImage(node.path("digest").asText(), node.path("manifestDigest").asText(),
                node.path("configDigest").asText(), refs, layers, node.path("size").asLong(),
                node.path("unpackedSize").asLong(), Instant.parse(node.path("pulledAt").asText()));
    }
}
