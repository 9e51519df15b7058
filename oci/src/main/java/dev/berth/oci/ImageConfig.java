package dev.berth.oci;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an image configuration (image spec config.md) needed to pull and unpack an image:
 * its platform and the digests of its uncompressed layers. Reading the runtime settings (Cmd, Env,
 * User, ...) is left to whoever turns the config into a runtime bundle.
 */
public record ImageConfig(String os, String architecture, String variant, List<Digest> diffIds) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public ImageConfig {
        diffIds = List.copyOf(diffIds);
    }

    public static ImageConfig parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("image config is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("image config must be a JSON object");
        }
        JsonNode rootfs = root.get("rootfs");
        if (rootfs == null || !rootfs.isObject() || !"layers".equals(rootfs.path("type").asText())) {
            throw new IllegalArgumentException("image config needs rootfs.type \"layers\"");
        }
        JsonNode ids = rootfs.get("diff_ids");
        if (ids == null || !ids.isArray()) {
            throw new IllegalArgumentException("image config needs rootfs.diff_ids");
        }
        List<Digest> diffIds = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            if (!ids.get(i).isTextual()) {
                throw new IllegalArgumentException("rootfs.diff_ids[" + i + "] must be a digest string");
            }
            diffIds.add(Digest.parse(ids.get(i).textValue()));
        }
        return new ImageConfig(text(root, "os"), text(root, "architecture"), text(root, "variant"), diffIds);
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
