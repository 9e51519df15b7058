package dev.berth.agent.spec;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The JSON shape of {@link ContainerSpec} (see node-agent/README.md): strict parsing (unknown fields, wrong
 * types, relative paths, negative limits and malformed restart policies are rejected with the field's path)
 * and the reverse, used to keep the spec on disk.
 */
public final class ContainerSpecJson {

    private static final Set<String> FIELDS = Set.of("name", "image", "entrypoint", "args", "env", "workingDir",
            "user", "volumes", "resources", "restartPolicy", "hooks", "labels", "seccomp");
    private static final Set<String> VOLUME_FIELDS = Set.of("source", "target", "readOnly");
    private static final Set<String> RESOURCE_FIELDS = Set.of("cpus", "memoryBytes", "pids");
    private static final List<String> HOOK_POINTS = List.of("createRuntime", "createContainer", "startContainer",
            "poststart", "poststop");
    private static final Set<String> HOOK_FIELDS = Set.of("path", "args", "env", "timeout");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    private static final Pattern RESTART = Pattern.compile("no|always|on-failure(:(0|[1-9][0-9]{0,8}))?");

    private ContainerSpecJson() {
    }

    public static ContainerSpec parse(JsonObject json) {
        if (json == null) {
            throw new InvalidSpecException("the body must be a JSON object");
        }
        onlyKnown(json, FIELDS, "");
        String name = optionalString(json, "name", "name");
        if (name != null && !NAME.matcher(name).matches()) {
            throw new InvalidSpecException("name must match " + NAME.pattern());
        }
        String image = optionalString(json, "image", "image");
        if (image == null || image.isBlank()) {
            throw new InvalidSpecException("image is required");
        }
        String workingDir = optionalString(json, "workingDir", "workingDir");
        if (workingDir != null) {
            absolute(workingDir, "workingDir");
        }
        String user = optionalString(json, "user", "user");
        if (user != null && user.isBlank()) {
            throw new InvalidSpecException("user must not be blank");
        }
        String seccomp = optionalString(json, "seccomp", "seccomp");
        if (seccomp != null && !seccomp.equals(ContainerSpec.SECCOMP_DEFAULT)
                && !seccomp.equals(ContainerSpec.SECCOMP_UNCONFINED)) {
            throw new InvalidSpecException("seccomp must be \"default\" or \"unconfined\", got \"" + seccomp + "\"");
        }
        return new ContainerSpec(name, image,
                stringList(json.getValue("entrypoint"), "entrypoint"),
                stringList(json.getValue("args"), "args"),
                env(json.getValue("env")),
                workingDir, user,
                volumes(json.getValue("volumes")),
                resources(json.getValue("resources")),
                restartPolicy(json.getValue("restartPolicy")),
                hooks(json.getValue("hooks")),
                stringMap(json.getValue("labels"), "labels"),
                seccomp);
    }

    /** Parses {@code no}, {@code always}, {@code on-failure} or {@code on-failure:N}. */
    public static RestartPolicy restartPolicy(Object value) {
        if (value == null) {
            return RestartPolicy.NO;
        }
        if (!(value instanceof String text) || !RESTART.matcher(text).matches()) {
            throw new InvalidSpecException("restartPolicy must be \"no\", \"always\", \"on-failure\" or "
                    + "\"on-failure:N\" with N a non-negative integer, got " + describe(value));
        }
        if (text.equals("no")) {
            return RestartPolicy.NO;
        }
        if (text.equals("always")) {
            return new RestartPolicy(RestartPolicy.Kind.ALWAYS, 0);
        }
        int max = text.contains(":") ? Integer.parseInt(text.substring(text.indexOf(':') + 1)) : 0;
        return new RestartPolicy(RestartPolicy.Kind.ON_FAILURE, max);
    }

    public static String restartPolicyText(RestartPolicy policy) {
        return switch (policy.kind()) {
            case NO -> "no";
            case ALWAYS -> "always";
            case ON_FAILURE -> policy.maxRetries() == 0 ? "on-failure" : "on-failure:" + policy.maxRetries();
        };
    }

    public static JsonObject toJson(ContainerSpec spec) {
        JsonObject json = new JsonObject().put("image", spec.image());
        putIfSet(json, "name", spec.name());
        putIfSet(json, "entrypoint", spec.entrypoint() == null ? null : new JsonArray(spec.entrypoint()));
        putIfSet(json, "args", spec.args() == null ? null : new JsonArray(spec.args()));
        json.put("env", new JsonObject(new TreeMap<String, Object>(spec.env())));
        putIfSet(json, "workingDir", spec.workingDir());
        putIfSet(json, "user", spec.user());
        JsonArray volumes = new JsonArray();
        for (VolumeMount v : spec.volumes()) {
            JsonObject vol = new JsonObject().put("target", v.target()).put("readOnly", v.readOnly());
            putIfSet(vol, "source", v.source());
            volumes.add(vol);
        }
        json.put("volumes", volumes);
        JsonObject resources = new JsonObject();
        putIfSet(resources, "cpus", spec.resources().cpus());
        putIfSet(resources, "memoryBytes", spec.resources().memoryBytes());
        putIfSet(resources, "pids", spec.resources().pids());
        json.put("resources", resources);
        json.put("restartPolicy", restartPolicyText(spec.restartPolicy()));
        JsonObject hooks = new JsonObject();
        Hooks h = spec.hooks();
        List<List<Hook>> lists = List.of(h.createRuntime(), h.createContainer(), h.startContainer(), h.poststart(),
                h.poststop());
        for (int i = 0; i < HOOK_POINTS.size(); i++) {
            if (!lists.get(i).isEmpty()) {
                JsonArray array = new JsonArray();
                for (Hook hook : lists.get(i)) {
                    JsonObject one = new JsonObject().put("path", hook.path()).put("args", new JsonArray(hook.args()))
                            .put("env", new JsonArray(hook.env()));
                    putIfSet(one, "timeout", hook.timeout());
                    array.add(one);
                }
                hooks.put(HOOK_POINTS.get(i), array);
            }
        }
        json.put("hooks", hooks);
        json.put("labels", new JsonObject(new TreeMap<String, Object>(spec.labels())));
        json.put("seccomp", spec.seccomp());
        return json;
    }

    private static void putIfSet(JsonObject json, String key, Object value) {
        if (value != null) {
            json.put(key, value);
        }
    }

    private static void onlyKnown(JsonObject json, Set<String> known, String where) {
        for (String key : json.fieldNames()) {
            if (!known.contains(key)) {
                throw new InvalidSpecException("unknown field " + where + key);
            }
        }
    }

    private static String optionalString(JsonObject json, String key, String path) {
        Object value = json.getValue(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new InvalidSpecException(path + " must be a string, got " + describe(value));
        }
        return s;
    }

    private static void absolute(String path, String field) {
        if (!path.startsWith("/")) {
            throw new InvalidSpecException(field + " must be an absolute path, got \"" + path + "\"");
        }
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                throw new InvalidSpecException(field + " must not contain '..', got \"" + path + "\"");
            }
        }
        if (path.indexOf('\0') >= 0) {
            throw new InvalidSpecException(field + " must not contain NUL");
        }
    }

    private static List<String> stringList(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw new InvalidSpecException(field + " must be an array of strings, got " + describe(value));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof String s)) {
                throw new InvalidSpecException(field + "[" + i + "] must be a string, got " + describe(array.getValue(i)));
            }
            out.add(s);
        }
        return out;
    }

    private static Map<String, String> stringMap(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject object)) {
            throw new InvalidSpecException(field + " must be an object of strings, got " + describe(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : object.fieldNames()) {
            if (key.isEmpty()) {
                throw new InvalidSpecException(field + " must not have an empty key");
            }
            if (!(object.getValue(key) instanceof String s)) {
                throw new InvalidSpecException(field + "." + key + " must be a string, got "
                        + describe(object.getValue(key)));
            }
            out.put(key, s);
        }
        return out;
    }

    private static Map<String, String> env(Object value) {
        Map<String, String> env = stringMap(value, "env");
        if (env != null) {
            for (String key : env.keySet()) {
                if (key.contains("=") || key.indexOf('\0') >= 0) {
                    throw new InvalidSpecException("env." + key + ": a variable name must not contain '=' or NUL");
                }
            }
        }
        return env;
    }

    private static List<VolumeMount> volumes(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw new InvalidSpecException("volumes must be an array, got " + describe(value));
        }
        List<VolumeMount> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String where = "volumes[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject v)) {
                throw new InvalidSpecException(where + " must be an object");
            }
            onlyKnown(v, VOLUME_FIELDS, where + ".");
            String source = optionalString(v, "source", where + ".source");
            if (source != null) {
                absolute(source, where + ".source");
            }
            String target = optionalString(v, "target", where + ".target");
            if (target == null) {
                throw new InvalidSpecException(where + ".target is required");
            }
            absolute(target, where + ".target");
            Object readOnly = v.getValue("readOnly");
            if (readOnly != null && !(readOnly instanceof Boolean)) {
                throw new InvalidSpecException(where + ".readOnly must be true or false, got " + describe(readOnly));
            }
            out.add(new VolumeMount(source, target, Boolean.TRUE.equals(readOnly)));
        }
        return out;
    }

    private static Resources resources(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject r)) {
            throw new InvalidSpecException("resources must be an object, got " + describe(value));
        }
        onlyKnown(r, RESOURCE_FIELDS, "resources.");
        Double cpus = null;
        Object c = r.getValue("cpus");
        if (c != null) {
            if (!(c instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
                throw new InvalidSpecException("resources.cpus must be a positive number, got " + describe(c));
            }
            cpus = n.doubleValue();
        }
        return new Resources(cpus, positiveLong(r, "memoryBytes"), positiveLong(r, "pids"));
    }

    private static Long positiveLong(JsonObject json, String key) {
        Object value = json.getValue(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() <= 0) {
            throw new InvalidSpecException("resources." + key + " must be a positive integer, got " + describe(value));
        }
        return ((Number) value).longValue();
    }

    private static Hooks hooks(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject h)) {
            throw new InvalidSpecException("hooks must be an object, got " + describe(value));
        }
        onlyKnown(h, Set.copyOf(HOOK_POINTS), "hooks.");
        List<List<Hook>> lists = new ArrayList<>();
        for (String point : HOOK_POINTS) {
            lists.add(hookList(h.getValue(point), "hooks." + point));
        }
        return new Hooks(lists.get(0), lists.get(1), lists.get(2), lists.get(3), lists.get(4));
    }

    private static List<Hook> hookList(Object value, String where) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw new InvalidSpecException(where + " must be an array, got " + describe(value));
        }
        List<Hook> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String at = where + "[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject hook)) {
                throw new InvalidSpecException(at + " must be an object");
            }
            onlyKnown(hook, HOOK_FIELDS, at + ".");
            String path = optionalString(hook, "path", at + ".path");
            if (path == null) {
                throw new InvalidSpecException(at + ".path is required");
            }
            absolute(path, at + ".path");
            Object timeout = hook.getValue("timeout");
            if (timeout != null && (!(timeout instanceof Integer t) || t <= 0)) {
                throw new InvalidSpecException(at + ".timeout must be a positive integer (seconds), got "
                        + describe(timeout));
            }
            List<String> env = stringList(hook.getValue("env"), at + ".env");
            if (env != null) {
                for (String entry : env) {
                    if (entry.indexOf('=') <= 0) {
                        throw new InvalidSpecException(at + ".env entries must be KEY=value, got \"" + entry + "\"");
                    }
                }
            }
            out.add(new Hook(path, stringList(hook.getValue("args"), at + ".args"), env, (Integer) timeout));
        }
        return out;
    }

    private static String describe(Object value) {
        if (value instanceof String s) {
            return "\"" + s + "\"";
        }
        if (value instanceof JsonObject) {
            return "an object";
        }
        if (value instanceof JsonArray) {
            return "an array";
        }
        return String.valueOf(value);
    }
}
