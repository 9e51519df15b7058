package dev.berth.kit.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One entry of a token's {@code access} claim, as the distribution token spec defines it: a
 * resource type ({@code repository}, {@code registry}, or Berth's {@code admin}), its name and the
 * actions granted on it ({@code pull}, {@code push}, {@code delete}, {@code *}).
 */
public record Access(String type, String name, Set<String> actions) {

    public static final String REPOSITORY = "repository";
    public static final String REGISTRY = "registry";
    public static final String ADMIN = "admin";
    public static final String PULL = "pull";
    public static final String PUSH = "push";
    public static final String DELETE = "delete";
    public static final String ANY = "*";

    /** What the registry's own REST API (/api/v1) requires: minted by the gateway for admins only. */
    public static final Access ADMIN_API = new Access(ADMIN, ANY, Set.of(ANY));
    /** What {@code /v2/_catalog} requires. */
    public static final Access CATALOG = new Access(REGISTRY, "catalog", Set.of(ANY));

    public Access {
        actions = Set.copyOf(actions);
    }

    public static Access repository(String name, String... actions) {
        return new Access(REPOSITORY, name, Set.of(actions));
    }

    /** True when this entry grants {@code action} on {@code type}/{@code name}. */
    public boolean grants(String type, String name, String action) {
        return this.type.equals(type)
                && (this.name.equals(name) || ADMIN.equals(type) && ANY.equals(this.name))
                && (actions.contains(action) || actions.contains(ANY));
    }

    /** True when some entry of {@code granted} grants every action of {@code required}. */
    public static boolean covers(List<Access> granted, Access required) {
        for (String action : required.actions()) {
            boolean found = false;
            for (Access entry : granted) {
                if (entry.grants(required.type(), required.name(), action)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    public JsonObject toJson() {
        return new JsonObject().put("type", type).put("name", name)
                .put("actions", new JsonArray(actions.stream().sorted().toList()));
    }

    public static JsonArray toJson(List<Access> access) {
        JsonArray out = new JsonArray();
        access.forEach(a -> out.add(a.toJson()));
        return out;
    }

    /** The scope string clients send and challenges carry: {@code repository:team/app:pull,push}. */
    public String scope() {
        return type + ":" + name + ":" + String.join(",", actions.stream().sorted(Access::actionOrder).toList());
    }

    private static int actionOrder(String a, String b) {
        List<String> order = List.of(PULL, PUSH, DELETE, ANY);
        int ia = order.indexOf(a);
        int ib = order.indexOf(b);
        return ia >= 0 && ib >= 0 ? Integer.compare(ia, ib) : a.compareTo(b);
    }

    /**
     * Parses {@code type:name:actions}; the name may itself contain colons (a registry host with a
     * port), so type is before the first and actions after the last colon. Null when malformed.
     */
    public static Access parseScope(String scope) {
        if (scope == null) {
            return null;
        }
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first <= 0 || last <= first + 1) {
            return null;
        }
        List<String> actions = new ArrayList<>();
        for (String action : scope.substring(last + 1).split(",")) {
            if (!action.isBlank()) {
                actions.add(action.trim());
            }
        }
        return new Access(scope.substring(0, first), scope.substring(first + 1, last), Set.copyOf(actions));
    }

    /** Reads an {@code access} claim; entries of the wrong shape are dropped. */
    public static List<Access> fromClaim(Object claim) {
        List<Access> out = new ArrayList<>();
        if (!(claim instanceof List<?> entries)) {
            return out;
        }
        for (Object entry : entries) {
            if (entry instanceof java.util.Map<?, ?> map
                    && map.get("type") instanceof String type
                    && map.get("name") instanceof String name
                    && map.get("actions") instanceof List<?> actions) {
                Set<String> names = new LinkedHashSet<>();
                actions.forEach(a -> {
                    if (a instanceof String s) {
                        names.add(s);
                    }
                });
                out.add(new Access(type, name, names));
            }
        }
        return out;
    }
}
