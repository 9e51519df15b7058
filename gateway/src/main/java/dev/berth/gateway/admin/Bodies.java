package dev.berth.gateway.admin;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** Strict reading of the admin API's JSON bodies: an object with known fields of the right types. */
final class Bodies {

    private Bodies() {
    }

    static JsonObject object(RoutingContext ctx, String... allowed) {
        JsonObject body;
        try {
            body = ctx.body() == null || ctx.body().buffer() == null ? null : ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw AdminException.invalid("body must be a JSON object");
        }
        if (body == null) {
            throw AdminException.invalid("body must be a JSON object");
        }
        Set<String> known = Set.of(allowed);
        for (String field : body.fieldNames()) {
            if (!known.contains(field)) {
                throw AdminException.invalid("unknown field '" + field + "'; allowed: " + String.join(", ", allowed));
            }
        }
        return body;
    }

    static String string(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value != null && !(value instanceof String)) {
            throw AdminException.invalid("field '" + field + "' must be a string");
        }
        return (String) value;
    }

    static boolean bool(JsonObject body, String field, boolean defaultValue) {
        Object value = body.getValue(field);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Boolean b)) {
            throw AdminException.invalid("field '" + field + "' must be true or false");
        }
        return b;
    }
}
