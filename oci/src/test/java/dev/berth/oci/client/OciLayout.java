package dev.berth.oci.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Descriptor.Platform;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes an OCI image layout (image spec image-layout.md) by hand: the images skopeo pushes in tests. */
final class OciLayout {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Map<String, Descriptor> tags = new LinkedHashMap<>();

    OciLayout(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    Path dir() {
        return dir;
    }

    Descriptor blob(byte[] content, String mediaType) throws IOException {
        Digest digest = Digest.sha256(content);
        Files.write(dir.resolve("blobs/sha256").resolve(digest.hex()), content);
        return new Descriptor(mediaType, digest, content.length, null, Map.of(), null, false);
    }

    /** A one-layer image holding {@code files} (path → content), gzip-compressed. */
    Descriptor image(Platform platform, Map<String, String> files) throws IOException {
        byte[] tar = tar(files);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        Descriptor layer = blob(gz.toByteArray(), MediaTypes.OCI_LAYER_GZIP);
        ObjectNode config = JSON.createObjectNode()
                .put("architecture", platform.architecture())
                .put("os", platform.os());
        if (platform.variant() != null) {
            config.put("variant", platform.variant());
        }
        config.putObject("config").putArray("Cmd").add("/bin/sh");
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        rootfs.putArray("diff_ids").add(Digest.sha256(tar).toString());
        Descriptor configBlob = blob(JSON.writeValueAsBytes(config), MediaTypes.OCI_CONFIG);
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.set("config", descriptorJson(configBlob));
        manifest.putArray("layers").add(descriptorJson(layer));
        Descriptor written = blob(JSON.writeValueAsBytes(manifest), MediaTypes.OCI_MANIFEST);
        return new Descriptor(written.mediaType(), written.digest(), written.size(), null, Map.of(), platform, false);
    }

    Descriptor index(List<Descriptor> manifests) throws IOException {
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode entries = index.putArray("manifests");
        manifests.forEach(m -> entries.add(descriptorJson(m)));
        return blob(JSON.writeValueAsBytes(index), MediaTypes.OCI_INDEX);
    }

    void tag(String name, Descriptor target) throws IOException {
        tags.put(name, target);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        ArrayNode entries = index.putArray("manifests");
        tags.forEach((tag, d) -> {
            ObjectNode entry = descriptorJson(d);
            entry.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
            entries.add(entry);
        });
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    private static ObjectNode descriptorJson(Descriptor d) {
        ObjectNode node = JSON.createObjectNode()
                .put("mediaType", d.mediaType())
                .put("digest", d.digest().toString())
                .put("size", d.size());
        if (d.platform() != null) {
            ObjectNode platform = node.putObject("platform")
                    .put("architecture", d.platform().architecture())
                    .put("os", d.platform().os());
            if (d.platform().variant() != null) {
                platform.put("variant", d.platform().variant());
            }
        }
        return node;
    }

    private static byte[] tar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(content.length);
                entry.setMode(0644);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
