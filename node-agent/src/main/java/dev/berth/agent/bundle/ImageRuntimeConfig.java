package dev.berth.agent.bundle;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime defaults an image configuration carries (image spec config.md, {@code config} object) plus
 * the top-level fields conversion.md turns into annotations. Absent fields are null (lists and maps empty).
 */
public record ImageRuntimeConfig(
        String user,
        List<String> env,
        List<String> entrypoint,
        List<String> cmd,
        String workingDir,
        List<String> volumes,
        List<String> exposedPorts,
        Map<String, String> labels,
        String stopSignal,
        Map<String, String> implicitAnnotations) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final String PREFIX = "org.opencontainers.image.";

    public ImageRuntimeConfig {
        env = env == null ? List.of() : List.copyOf(env);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        implicitAnnotations = implicitAnnotations == null ? Map.of() : Map.copyOf(implicitAnnotations);
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        cmd = cmd == null ? null : List.copyOf(cmd);
    }

    /** Reads an image configuration blob; wrongly typed fields are an error, not silently dropped. */
    public static ImageRuntimeConfig parse(byte[] configBlob) throws BundleException {
        JsonNode root;
        try {
            root = JSON.readTree(configBlob);
        } catch (IOException e) {
            throw invalid("is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("must be a JSON object");
        }
        JsonNode config = root.path("config");
        if (!config.isMissingNode() && !config.isNull() && !config.isObject()) {
            throw invalid("field config must be an object");
        }
        Map<String, String> implicit = new LinkedHashMap<>();
        putText(implicit, "os", root.get("os"));
        putText(implicit, "architecture", root.get("architecture"));
        putText(implicit, "variant", root.get("variant"));
        putText(implicit, "os.version", root.get("os.version"));
        putText(implicit, "author", root.get("author"));
        putText(implicit, "created", root.get("created"));
        List<String> features = strings(root.get("os.features"), "os.features");
        if (features != null && !features.isEmpty()) {
            implicit.put(PREFIX + "os.features", String.join(",", features));
        }
        String stopSignal = text(config.get("StopSignal"), "StopSignal");
        if (stopSignal != null) {
            implicit.put(PREFIX + "stopSignal", stopSignal);
        }
        List<String> ports = keys(config.get("ExposedPorts"), "ExposedPorts");
        if (!ports.isEmpty()) {
            implicit.put(PREFIX + "exposedPorts", String.join(",", ports));
        }
        return new ImageRuntimeConfig(
                text(config.get("User"), "User"),
                strings(config.get("Env"), "Env"),
                strings(config.get("Entrypoint"), "Entrypoint"),
                strings(config.get("Cmd"), "Cmd"),
                text(config.get("WorkingDir"), "WorkingDir"),
                keys(config.get("Volumes"), "Volumes"),
                ports,
                labels(config.get("Labels")),
                stopSignal,
                implicit);
    }

    private static void putText(Map<String, String> out, String field, JsonNode value) throws BundleException {
        String text = text(value, field);
        if (text != null) {
            out.put(PREFIX + field, text);
        }
    }

    private static String text(JsonNode value, String field) throws BundleException {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid("field " + field + " must be a string");
        }
        return value.textValue();
    }

    private static List<String> strings(JsonNode value, String field) throws BundleException {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw invalid("field " + field + " must be an array of strings");
        }
        List<String> out = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw invalid("field " + field + " must be an array of strings");
            }
            out.add(item.textValue());
        }
        return out;
    }

    /** ExposedPorts and Volumes are objects whose keys carry the meaning (values are empty objects). */
    private static List<String> keys(JsonNode value, String field) throws BundleException {
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isObject()) {
            throw invalid("field " + field + " must be an object");
        }
        List<String> out = new ArrayList<>();
        value.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Map<String, String> labels(JsonNode value) throws BundleException {
        if (value == null || value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw invalid("field Labels must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) value::fields) {
            if (!e.getValue().isTextual()) {
                throw invalid("label " + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static BundleException invalid(String what) {
        return new BundleException("INVALID_IMAGE_CONFIG", "image config " + what);
    }
}
