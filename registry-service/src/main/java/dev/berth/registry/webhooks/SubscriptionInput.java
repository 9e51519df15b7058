package dev.berth.registry.webhooks;

import dev.berth.registry.meta.Outbox;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A subscription as a client sends it (POST creates, PUT replaces): validated completely before
 * anything is stored. Absent fields take defaults: every event type, {@code **}, enabled, and on
 * create a generated secret (on PUT an absent secret keeps the current one).
 */
record SubscriptionInput(URI targetUrl, List<String> eventTypes, RepositoryGlob repositoryGlob, String secret,
                         boolean enabled) {

    static final List<String> EVENT_TYPES = List.of(
            Outbox.IMAGE_PUSHED, Outbox.IMAGE_DELETED, Outbox.TAG_DELETED, Outbox.REPOSITORY_CREATED);
    private static final Set<String> WRITABLE = Set.of("targetUrl", "eventTypes", "repositoryGlob", "secret", "enabled");
    private static final Set<String> READ_ONLY = Set.of("id", "disabledReason", "createdAt", "updatedAt");

    /** Parses a request body; IllegalArgumentException with a message fit for the client. */
    static SubscriptionInput parse(JsonObject body) {
        for (String field : body.fieldNames()) {
            if (READ_ONLY.contains(field)) {
                throw new IllegalArgumentException("field '" + field + "' is set by the server and cannot be written");
            }
            if (!WRITABLE.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "'; known fields: " + WRITABLE.stream().sorted().toList());
            }
        }
        URI target = TargetGuard.parse(text(body, "targetUrl", true));
        List<String> types = eventTypes(body.getValue("eventTypes"));
        String globText = text(body, "repositoryGlob", false);
        RepositoryGlob glob = RepositoryGlob.parse(globText == null ? "**" : globText);
        String secret = text(body, "secret", false);
        if (secret != null) {
            WebhookSecret.key(secret);
        }
        Object enabled = body.getValue("enabled");
        if (enabled != null && !(enabled instanceof Boolean)) {
            throw new IllegalArgumentException("enabled must be true or false");
        }
        return new SubscriptionInput(target, types, glob, secret, enabled == null || (Boolean) enabled);
    }

    private static String text(JsonObject body, String field, boolean required) {
        Object value = body.getValue(field);
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(field + " is required");
            }
            return null;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return s;
    }

    private static List<String> eventTypes(Object value) {
        if (value == null) {
            return EVENT_TYPES;
        }
        if (!(value instanceof JsonArray array) || array.isEmpty()) {
            throw new IllegalArgumentException("eventTypes must be a non-empty array, a subset of " + EVENT_TYPES);
        }
        Set<String> types = new LinkedHashSet<>();
        for (Object item : array) {
            if (!(item instanceof String type) || !EVENT_TYPES.contains(type)) {
                throw new IllegalArgumentException("eventTypes: unknown event type " + (item instanceof String ? "'" + item + "'" : String.valueOf(item))
                        + "; known: " + EVENT_TYPES);
            }
            types.add(type);
        }
        return new ArrayList<>(types);
    }
}
