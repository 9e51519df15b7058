package dev.berth.registry.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the retention rules delete in one repository, worked out from its tags and manifests.
 * Pure: {@link Retention} loads the rows and carries the plan out.
 */
final class RetentionPlan {

    record TagRow(String name, String digest, OffsetDateTime updatedAt) {
    }

    /** {@code old}: pushed longer ago than the shortest delete-untagged age; {@code children}: index entries. */
    record ManifestRow(String digest, String subject, boolean old, List<String> children) {
    }

    record Skip(String tag, String reason) {
    }

    final String repository;
    final List<TagRow> tags = new ArrayList<>();
    final List<String> manifests = new ArrayList<>();
    final List<Skip> skipped = new ArrayList<>();

    private RetentionPlan(String repository) {
        this.repository = repository;
    }

    /**
     * {@code tagRows} newest first. A tag matching some keep-latest-tags rule goes unless one of the rules it
     * matches keeps it (it is among that rule's {@code count} newest); immutable tags always stay.
     * Untagged old manifests go, except an index's children while the index stays, and referrers while
     * their subject stays; the order lets each go before what it protects.
     */
    static RetentionPlan of(String repository, RetentionRules rules, ImmutableTags immutable,
                            List<TagRow> tagRows, List<ManifestRow> manifestRows) {
        RetentionPlan plan = new RetentionPlan(repository);
        List<RetentionRules.KeepLatestTags> keeps = rules.rules().stream()
                .filter(r -> r instanceof RetentionRules.KeepLatestTags).map(r -> (RetentionRules.KeepLatestTags) r).toList();
        boolean untagged = rules.rules().stream().anyMatch(r -> r instanceof RetentionRules.DeleteUntagged);

        Set<String> kept = new HashSet<>();
        Set<String> candidates = new HashSet<>();
        for (RetentionRules.KeepLatestTags keep : keeps) {
            int seen = 0;
            for (TagRow tag : tagRows) {
                if (keep.pattern().matches(tag.name())) {
                    candidates.add(tag.name());
                    if (seen++ < keep.count()) {
                        kept.add(tag.name());
                    }
                }
            }
        }
        Set<String> taggedDigests = new HashSet<>();
        for (TagRow tag : tagRows) {
            boolean goes = candidates.contains(tag.name()) && !kept.contains(tag.name());
            if (goes && immutable.rule(tag.name()) != null) {
                plan.skipped.add(new Skip(tag.name(), "immutable (pattern \"" + immutable.rule(tag.name()) + "\")"));
                goes = false;
            }
            if (goes) {
                plan.tags.add(tag);
            } else {
                taggedDigests.add(tag.digest());
            }
        }
        if (untagged) {
            plan.manifests.addAll(untaggedOrder(manifestRows, taggedDigests));
        }
        return plan;
    }

    private static List<String> untaggedOrder(List<ManifestRow> rows, Set<String> taggedDigests) {
        Map<String, ManifestRow> byDigest = new HashMap<>();
        Set<String> going = new LinkedHashSet<>();
        for (ManifestRow row : rows) {
            byDigest.put(row.digest(), row);
            if (row.old() && !taggedDigests.contains(row.digest())) {
                going.add(row.digest());
            }
        }
        // Whatever stays protects its children and its referrers; repeat until nothing more is protected.
        boolean changed = true;
        while (changed) {
            changed = false;
            for (ManifestRow row : rows) {
                if (going.contains(row.digest())) {
                    continue;
                }
                for (String child : row.children()) {
                    changed |= going.remove(child);
                }
            }
            for (String digest : List.copyOf(going)) {
                String subject = byDigest.get(digest).subject();
                if (subject != null && byDigest.containsKey(subject) && !going.contains(subject)) {
                    going.remove(digest);
                    changed = true;
                }
            }
        }
        // Delete an index before its children and a subject before its referrers.
        List<String> order = new ArrayList<>();
        Set<String> left = new LinkedHashSet<>(going);
        while (!left.isEmpty()) {
            List<String> ready = new ArrayList<>();
            for (String digest : left) {
                boolean protectedByLeft = false;
                for (String other : left) {
                    if (byDigest.get(other).children().contains(digest)) {
                        protectedByLeft = true;
                        break;
                    }
                }
                String subject = byDigest.get(digest).subject();
                if (subject != null && left.contains(subject)) {
                    protectedByLeft = true;
                }
                if (!protectedByLeft) {
                    ready.add(digest);
                }
            }
            if (ready.isEmpty()) {
                break; // a cycle cannot happen with content digests; never loop on bad data
            }
            order.addAll(ready);
            ready.forEach(left::remove);
        }
        return order;
    }

    static JsonObject tagJson(String repository, TagRow tag) {
        return new JsonObject().put("repository", repository).put("tag", tag.name()).put("digest", tag.digest());
    }

    static JsonObject manifestJson(String repository, String digest) {
        return new JsonObject().put("repository", repository).put("digest", digest);
    }

    JsonArray skippedJson() {
        JsonArray out = new JsonArray();
        skipped.forEach(s -> out.add(new JsonObject().put("repository", repository).put("tag", s.tag())
                .put("reason", s.reason())));
        return out;
    }
}
