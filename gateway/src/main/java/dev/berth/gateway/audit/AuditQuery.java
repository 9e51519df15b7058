package dev.berth.gateway.audit;

import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated parameters of {@code GET /api/v1/audit}: optional exact filters {@code actor},
 * {@code repository}, {@code action}, a time window {@code since} (inclusive) / {@code until}
 * (exclusive) as RFC 3339 timestamps, {@code limit} (1..1000, default 100) and {@code cursor}
 * (opaque, from a previous page's {@code next}). Entries come newest first.
 */
record AuditQuery(String actor, String repository, String action, Instant since, Instant until, int limit,
                  Long beforeId) {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final Set<String> PARAMETERS = Set.of("actor", "repository", "action", "since", "until", "limit",
            "cursor");
    private static final Set<String> ACTIONS = Set.of(AuditEntry.PUSH, AuditEntry.PULL, AuditEntry.DELETE,
            AuditEntry.LOGIN, AuditEntry.LOGIN_FAILED, AuditEntry.ADMIN);
    private static final Pattern CURSOR = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    /** Thrown for a parameter that is unknown, repeated or malformed; its message says which. */
    static final class InvalidQuery extends IllegalArgumentException {
        InvalidQuery(String message) {
            super(message);
        }
    }

    static AuditQuery parse(MultiMap params) {
        for (String name : params.names()) {
            if (!PARAMETERS.contains(name)) {
                throw new InvalidQuery("unknown parameter '" + name + "' (allowed: " + String.join(", ",
                        PARAMETERS.stream().sorted().toList()) + ")");
            }
            if (params.getAll(name).size() > 1) {
                throw new InvalidQuery("parameter '" + name + "' given more than once");
            }
        }
        String action = text(params, "action");
        if (action != null && !ACTIONS.contains(action)) {
            throw new InvalidQuery("action must be one of " + ACTIONS.stream().sorted().toList() + ", got '" + action + "'");
        }
        Instant since = time(params, "since");
        Instant until = time(params, "until");
        if (since != null && until != null && !since.isBefore(until)) {
            throw new InvalidQuery("since must be before until");
        }
        return new AuditQuery(text(params, "actor"), text(params, "repository"), action, since, until,
                limit(params.get("limit")), cursor(params.get("cursor")));
    }

    /** The cursor that continues after the entry with {@code id}. */
    static String cursorAfter(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Long.toString(id).getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(MultiMap params, String name) {
        String value = params.get(name);
        if (value == null) {
            return null;
        }
        if (value.isBlank() || value.length() > 512) {
            throw new InvalidQuery(name + " must be 1..512 characters");
        }
        return value;
    }

    private static Instant time(MultiMap params, String name) {
        String value = params.get(name);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidQuery(name + " must be an RFC 3339 timestamp such as 2026-11-27T21:00:00Z, got '" + value + "'");
        }
    }

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new InvalidQuery("limit must be an integer from 1 to " + MAX_LIMIT + ", got '" + value + "'");
    }

    private static Long cursor(String value) {
        if (value == null) {
            return null;
        }
        try {
            if (CURSOR.matcher(value).matches()) {
                long id = Long.parseLong(new String(Base64.getUrlDecoder().decode(value), StandardCharsets.US_ASCII));
                if (id > 0) {
                    return id;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below (NumberFormatException is one too)
        }
        throw new InvalidQuery("cursor is not one this API handed out");
    }
}
