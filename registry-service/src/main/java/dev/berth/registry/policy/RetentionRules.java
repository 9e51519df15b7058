package dev.berth.registry.policy;

import dev.berth.kit.Durations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A namespace's retention rules, as {@code {"rules":[...]}}:
 * <ul>
 *   <li>{@code {"type":"keep-latest-tags","pattern":"v*","count":5}}: per repository, of the tags matching
 *       the pattern only the {@code count} most recently pushed stay;
 *   <li>{@code {"type":"delete-untagged","olderThan":"7d"}}: manifests without a tag, pushed longer ago
 *       than that (units ms, s, m, h, d), go.
 * </ul>
 */
public record RetentionRules(List<Rule> rules) {

    static final int MAX_RULES = 50;
    static final int MAX_COUNT = 100_000;
    public static final RetentionRules NONE = new RetentionRules(List.of());

    public RetentionRules {
        rules = List.copyOf(rules);
    }

    public sealed interface Rule permits KeepLatestTags, DeleteUntagged {
        JsonObject toJson();
    }

    public record KeepLatestTags(TagPattern pattern, int count) implements Rule {
        public JsonObject toJson() {
            return new JsonObject().put("type", "keep-latest-tags").put("pattern", pattern.glob()).put("count", count);
        }
    }

    public record DeleteUntagged(String olderThanText, Duration olderThan) implements Rule {
        public JsonObject toJson() {
            return new JsonObject().put("type", "delete-untagged").put("olderThan", olderThanText);
        }
    }

    /** Parses a request body or a stored row; IllegalArgumentException with a message fit for the client. */
    public static RetentionRules parse(JsonObject body) {
        onlyFields(body, "the body", Set.of("rules"));
        if (!(body.getValue("rules") instanceof JsonArray array)) {
            throw new IllegalArgumentException("rules must be an array");
        }
        if (array.size() > MAX_RULES) {
            throw new IllegalArgumentException("at most " + MAX_RULES + " rules per namespace");
        }
        List<Rule> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof JsonObject rule)) {
                throw new IllegalArgumentException("rules[" + i + "] must be an object");
            }
            out.add(rule(rule, "rules[" + i + "]"));
        }
        return new RetentionRules(out);
    }

    private static Rule rule(JsonObject rule, String where) {
        Object type = rule.getValue("type");
        if ("keep-latest-tags".equals(type)) {
            onlyFields(rule, where, Set.of("type", "pattern", "count"));
            if (!(rule.getValue("pattern") instanceof String glob)) {
                throw new IllegalArgumentException(where + ".pattern must be a string (a tag glob such as v*)");
            }
            TagPattern pattern;
            try {
                pattern = TagPattern.parse(glob);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".pattern: " + e.getMessage());
            }
            Object count = rule.getValue("count");
            if (!(count instanceof Integer || count instanceof Long) || ((Number) count).longValue() < 0
                    || ((Number) count).longValue() > MAX_COUNT) {
                throw new IllegalArgumentException(where + ".count must be an integer from 0 to " + MAX_COUNT);
            }
            return new KeepLatestTags(pattern, ((Number) count).intValue());
        }
        if ("delete-untagged".equals(type)) {
            onlyFields(rule, where, Set.of("type", "olderThan"));
            if (!(rule.getValue("olderThan") instanceof String text)) {
                throw new IllegalArgumentException(where + ".olderThan must be a string such as 12h or 7d");
            }
            return new DeleteUntagged(text, duration(where + ".olderThan", text));
        }
        throw new IllegalArgumentException(where + ".type must be \"keep-latest-tags\" or \"delete-untagged\"");
    }

    private static void onlyFields(JsonObject object, String where, Set<String> known) {
        for (String field : object.fieldNames()) {
            if (!known.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "' in " + where + "; known fields: "
                        + known.stream().sorted().toList());
            }
        }
    }

    static Duration duration(String where, String text) {
        return Durations.parse(where, text);
    }

    public JsonObject toJson() {
        return new JsonObject().put("rules", new JsonArray(rules.stream().map(Rule::toJson).toList()));
    }
}
