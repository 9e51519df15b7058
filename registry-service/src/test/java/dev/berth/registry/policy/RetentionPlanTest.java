package dev.berth.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPlanTest {

    private static final OffsetDateTime NOW = OffsetDateTime.parse("2026-11-27T12:00:00Z");

    private static RetentionPlan.TagRow tag(String name, String digest, int minutesAgo) {
        return new RetentionPlan.TagRow(name, digest, NOW.minusMinutes(minutesAgo));
    }

    private static RetentionRules rules(String json) {
        return RetentionRules.parse(new JsonObject(json));
    }

    @Test
    void aTagStaysWhenAnyRuleItMatchesKeepsIt() {
        List<RetentionPlan.TagRow> tags = List.of(tag("v3", "d3", 1), tag("dev-2", "d2", 2), tag("v2", "d2", 3),
                tag("v1", "d1", 4), tag("latest", "d3", 5));
        RetentionPlan plan = RetentionPlan.of("r", rules("""
                {"rules":[{"type":"keep-latest-tags","pattern":"v*","count":1},
                          {"type":"keep-latest-tags","pattern":"*","count":3}]}"""), ImmutableTags.NONE, tags, List.of());
        // v* keeps v3; * keeps v3, dev-2, v2. v1 and latest match some rule and none keeps them.
        assertThat(plan.tags).extracting(RetentionPlan.TagRow::name).containsExactly("v1", "latest");
        assertThat(plan.manifests).isEmpty();
    }

    @Test
    void immutableTagsAreSkippedAndKeepTheirManifest() {
        List<RetentionPlan.TagRow> tags = List.of(tag("b", "d2", 1), tag("a", "d1", 2));
        List<RetentionPlan.ManifestRow> manifests = List.of(new RetentionPlan.ManifestRow("d1", null, true, List.of()),
                new RetentionPlan.ManifestRow("d2", null, true, List.of()));
        RetentionPlan plan = RetentionPlan.of("r", rules("""
                {"rules":[{"type":"keep-latest-tags","pattern":"*","count":0},
                          {"type":"delete-untagged","olderThan":"1h"}]}"""), ImmutableTags.of(List.of("a")), tags, manifests);
        assertThat(plan.tags).extracting(RetentionPlan.TagRow::name).containsExactly("b");
        assertThat(plan.skipped).extracting(RetentionPlan.Skip::tag).containsExactly("a");
        // d2 loses its only tag in this run, so it is untagged by the time manifests go; d1 keeps "a".
        assertThat(plan.manifests).containsExactly("d2");
    }

    @Test
    void youngManifestsStayAndAChainGoesParentFirst() {
        List<RetentionPlan.ManifestRow> manifests = new ArrayList<>(List.of(
                new RetentionPlan.ManifestRow("child", null, true, List.of()),
                new RetentionPlan.ManifestRow("sig", "index", true, List.of()),
                new RetentionPlan.ManifestRow("index", null, true, List.of("child")),
                new RetentionPlan.ManifestRow("young", null, false, List.of("kept-child")),
                new RetentionPlan.ManifestRow("kept-child", null, true, List.of())));
        RetentionPlan plan = RetentionPlan.of("r", rules("{\"rules\":[{\"type\":\"delete-untagged\",\"olderThan\":\"1h\"}]}"),
                ImmutableTags.NONE, List.of(), manifests);
        assertThat(plan.manifests).containsExactlyInAnyOrder("index", "child", "sig");
        assertThat(plan.manifests.indexOf("index")).isLessThan(plan.manifests.indexOf("child"));
        assertThat(plan.manifests.indexOf("index")).isLessThan(plan.manifests.indexOf("sig"));
    }
}
