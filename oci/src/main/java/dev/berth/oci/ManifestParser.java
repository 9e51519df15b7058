package dev.berth.oci;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates OCI image manifests and indexes and their Docker schema 2 counterparts.
 * The registry stores the pushed bytes unchanged; this only reads them.
 */
public final class ManifestParser {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ManifestParser() {
    }

    /**
     * @param contentType the Content-Type the manifest was pushed with (parameters ignored), or null
     */
    public static Manifest parse(byte[] body, String contentType) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidManifestException("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidManifestException("manifest is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidManifestException("manifest must be a JSON object");
        }
        JsonNode schemaVersion = root.get("schemaVersion");
        if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
            throw new InvalidManifestException("schemaVersion must be 2");
        }
        String mediaType = resolveMediaType(root, bareType(contentType));
        if (MediaTypes.INDEXES.contains(mediaType)) {
            List<Descriptor> children = descriptors(root, "manifests", true);
            for (Descriptor child : children) {
                if (child.mediaType() == null) {
                    throw new InvalidManifestException("index entry " + child.digest() + " has no mediaType");
                }
            }
            return new Manifest(mediaType, null, List.of(), children, optionalDescriptor(root, "subject"),
                    optionalText(root, "artifactType"), annotations(root.get("annotations"), "annotations"));
        }
        Descriptor config = descriptor(root.get("config"), "config");
        List<Descriptor> layers = descriptors(root, "layers", MediaTypes.DOCKER_MANIFEST.equals(mediaType));
        return new Manifest(mediaType, config, layers, List.of(), optionalDescriptor(root, "subject"),
                optionalText(root, "artifactType"), annotations(root.get("annotations"), "annotations"));
    }

    /** The media type without parameters, lower-cased; null when absent. */
    public static String bareType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        String bare = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase();
        return bare.isEmpty() ? null : bare;
    }

    private static String resolveMediaType(JsonNode root, String contentType) {
        String declared = optionalText(root, "mediaType");
        if (declared != null) {
            if (!MediaTypes.isManifest(declared)) {
                throw new InvalidManifestException("unsupported manifest mediaType: " + declared);
            }
            if (contentType != null && MediaTypes.isManifest(contentType) && !contentType.equals(declared)) {
                throw new InvalidManifestException(
                        "Content-Type " + contentType + " does not match mediaType " + declared);
            }
            return declared;
        }
        if (contentType != null && MediaTypes.isManifest(contentType)) {
            if (contentType.startsWith("application/vnd.docker.")) {
                throw new InvalidManifestException("Docker schema 2 manifests must carry a mediaType field");
            }
            return contentType;
        }
        // Neither says: the OCI spec lets the shape decide.
        if (root.has("manifests") && !root.has("config")) {
            return MediaTypes.OCI_INDEX;
        }
        if (root.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw new InvalidManifestException("cannot tell the manifest's media type");
    }

    private static List<Descriptor> descriptors(JsonNode root, String field, boolean required) {
        JsonNode array = root.get(field);
        if (array == null || array.isNull()) {
            if (required) {
                throw new InvalidManifestException(field + " is required");
            }
            return List.of();
        }
        if (!array.isArray()) {
            throw new InvalidManifestException(field + " must be an array");
        }
        List<Descriptor> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            out.add(descriptor(array.get(i), field + "[" + i + "]"));
        }
        return Collections.unmodifiableList(out);
    }

    private static Descriptor optionalDescriptor(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : descriptor(node, field);
    }

    private static Descriptor descriptor(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new InvalidManifestException(where + " must be a descriptor object");
        }
        String mediaType = optionalText(node, "mediaType");
        if (mediaType == null && !where.startsWith("manifests")) {
            throw new InvalidManifestException(where + ".mediaType is required");
        }
        JsonNode digest = node.get("digest");
        if (digest == null || !digest.isTextual()) {
            throw new InvalidManifestException(where + ".digest is required");
        }
        Digest parsed;
        try {
            parsed = Digest.parse(digest.textValue());
        } catch (InvalidDigestException e) {
            throw new InvalidManifestException(where + ".digest: " + e.getMessage());
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw new InvalidManifestException(where + ".size must be a non-negative integer");
        }
        JsonNode urls = node.get("urls");
        boolean hasUrls = urls != null && urls.isArray() && !urls.isEmpty();
        return new Descriptor(mediaType, parsed, size.longValue(), optionalText(node, "artifactType"),
                annotations(node.get("annotations"), where + ".annotations"), platform(node.get("platform"), where),
                hasUrls);
    }

    private static Descriptor.Platform platform(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidManifestException(where + ".platform must be an object");
        }
        String os = optionalText(node, "os");
        String arch = optionalText(node, "architecture");
        if (os == null || arch == null) {
            throw new InvalidManifestException(where + ".platform needs os and architecture");
        }
        return new Descriptor.Platform(os, arch, optionalText(node, "variant"));
    }

    private static Map<String, String> annotations(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new InvalidManifestException(where + " must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new InvalidManifestException(where + "." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidManifestException(field + " must be a string");
        }
        return value.textValue();
    }
}
