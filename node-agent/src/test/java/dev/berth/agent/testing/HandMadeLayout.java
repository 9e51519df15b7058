package dev.berth.agent.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * An OCI image layout written by hand, for images no honest tool would build: hostile layers, diff_ids
 * that lie. skopeo then pushes them like any other image.
 */
public final class HandMadeLayout {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final ArrayNode tags = JSON.createArrayNode();

    public HandMadeLayout(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    public Path dir() {
        return dir;
    }

    /**
     * Tags a linux/amd64 image of gzip layers made from {@code tars}. {@code diffIds} null means the
     * true ones; otherwise they are written as given.
     */
    public void image(String tag, List<byte[]> tars, List<String> diffIds) throws IOException {
        tag(tag, manifest("amd64", tars, diffIds));
    }

    /**
     * Tags an image index over one image per architecture (each of the given layers) and returns the
     * manifest digests by architecture.
     */
    public Map<String, String> index(String tag, List<String> architectures, List<byte[]> tars)
            throws IOException {
        Map<String, String> digests = new LinkedHashMap<>();
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode manifests = index.putArray("manifests");
        for (String arch : architectures) {
            ObjectNode entry = manifest(arch, tars, null);
            entry.putObject("platform").put("architecture", arch).put("os", "linux");
            manifests.add(entry);
            digests.put(arch, entry.path("digest").asText());
        }
        tag(tag, descriptor(blob(JSON.writeValueAsBytes(index)), "application/vnd.oci.image.index.v1+json"));
        return digests;
    }

    private void tag(String tag, ObjectNode entry) throws IOException {
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
        tags.add(entry);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        index.set("manifests", tags);
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    private ObjectNode manifest(String arch, List<byte[]> tars, List<String> diffIds) throws IOException {
        ObjectNode config = JSON.createObjectNode().put("architecture", arch).put("os", "linux");
        config.putObject("config").putArray("Cmd").add("/bin/sh");
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        ArrayNode layers = manifest.putArray("layers");
        for (int i = 0; i < tars.size(); i++) {
            byte[] tar = tars.get(i);
            ids.add(diffIds == null ? Digest.sha256(tar).toString() : diffIds.get(i));
            layers.add(descriptor(blob(gzip(tar)), "application/vnd.oci.image.layer.v1.tar+gzip"));
        }
        manifest.set("config", descriptor(blob(JSON.writeValueAsBytes(config)), "application/vnd.oci.image.config.v1+json"));
        return descriptor(blob(JSON.writeValueAsBytes(manifest)), "application/vnd.oci.image.manifest.v1+json");
    }

    private record Blob(Digest digest, long size) {
    }

    private Blob blob(byte[] content) throws IOException {
        Digest digest = Digest.sha256(content);
        Files.write(dir.resolve("blobs/sha256").resolve(digest.hex()), content);
        return new Blob(digest, content.length);
    }

    private static ObjectNode descriptor(Blob blob, String mediaType) {
        return JSON.createObjectNode().put("mediaType", mediaType).put("digest", blob.digest().toString())
                .put("size", blob.size());
    }

    private static byte[] gzip(byte[] tar) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
