package dev.berth.agent.api;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Strict parsing of query parameters: a malformed value is a 400, not a silent default. */
final class QueryParams {

    private QueryParams() {
    }

    static String single(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        if (values.size() > 1) {
            throw new Replies.BadRequest("INVALID_PARAMETER", name + " is given more than once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    static boolean bool(RoutingContext ctx, String name, boolean fallback) {
        String value = single(ctx, name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        return switch (value) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new Replies.BadRequest("INVALID_PARAMETER", name + " must be true or false, got " + value);
        };
    }

    static Long nonNegative(RoutingContext ctx, String name, Long fallback) {
        String value = single(ctx, name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Replies.BadRequest("INVALID_PARAMETER", name + " must be a non-negative integer, got " + value);
    }
}
