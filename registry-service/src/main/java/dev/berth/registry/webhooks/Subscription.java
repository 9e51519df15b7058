package dev.berth.registry.webhooks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** A stored webhook subscription. */
record Subscription(UUID id, String targetUrl, List<String> eventTypes, String repositoryGlob, String secret,
                    boolean enabled, String disabledReason, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    static final String COLUMNS = "id, target_url, event_types, repository_glob, secret, enabled, disabled_reason,"
            + " created_at, updated_at";

    static Subscription from(Row row) {
        return new Subscription(row.getUUID("id"), row.getString("target_url"),
                Arrays.asList(row.getArrayOfStrings("event_types")), row.getString("repository_glob"),
                row.getString("secret"), row.getBoolean("enabled"), row.getString("disabled_reason"),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
    }

    /** The API's view; the secret only when it was just created (it is write-only otherwise). */
    JsonObject toJson(boolean withSecret) {
        JsonObject json = new JsonObject()
                .put("id", id.toString())
                .put("targetUrl", targetUrl)
                .put("eventTypes", new JsonArray(eventTypes))
                .put("repositoryGlob", repositoryGlob)
                .put("enabled", enabled)
                .put("disabledReason", disabledReason)
                .put("createdAt", createdAt.toInstant().toString())
                .put("updatedAt", updatedAt.toInstant().toString());
        if (withSecret) {
            json.put("secret", secret);
        }
        return json;
    }
}
