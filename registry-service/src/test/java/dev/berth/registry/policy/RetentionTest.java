package dev.berth.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Retention rules, on demand (dry run and real) and on a schedule, seen through the API and the outbox. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionTest {

    @TempDir
    static Path storage;
    private PostgresDatabase db;
    private PolicyRegistry registry;

    @BeforeAll
    void start(PostgresDatabase db) throws Exception {
        this.db = db;
        registry = PolicyRegistry.start(db, storage, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        registry.close();
    }

    private JsonObject run(String namespace, boolean dryRun) throws Exception {
        return registry.ok("POST", "/api/v1/registry/namespaces/" + namespace + "/retention/run",
                "{\"dryRun\":" + dryRun + "}");
    }

    private static List<String> field(JsonArray items, String name) {
        List<String> out = new ArrayList<>();
        items.forEach(item -> out.add(((JsonObject) item).getString(name)));
        return out;
    }

    /** The outbox events of {@code type} about {@code repository}, as (data) objects, oldest first. */
    private List<JsonObject> events(String type, String repository) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("select data::text from outbox where type = '" + type
                     + "' and subject = '" + repository + "' order by id")) {
            while (rows.next()) {
                out.add(new JsonObject(rows.getString(1)));
            }
        }
        return out;
    }

    @Test
    void keepLatestTagsDryRunReportsAndTheRealRunDeletesSparingImmutableTags() throws Exception {
        String repo = "keep/app";
        for (String tag : List.of("v1", "v2", "stable", "t1", "t2", "t3", "t4", "t5")) {
            registry.pushImage(repo, tag, tag);
        }
        String otherNamespace = registry.pushImage("keeper/app", "t1", "other");
        registry.ok("PUT", "/api/v1/registry/namespaces/keep/immutable-tags", "{\"patterns\":[\"v1\"]}");
        registry.ok("PUT", "/api/v1/registry/namespaces/keep/retention", new JsonObject().put("rules", new JsonArray()
                .add(new JsonObject().put("type", "keep-latest-tags").put("pattern", "t*").put("count", 2))
                .add(new JsonObject().put("type", "keep-latest-tags").put("pattern", "v*").put("count", 0))).encode());

        JsonObject dry = run("keep", true);
        assertThat(dry.getBoolean("dryRun")).isTrue();
        assertThat(field(dry.getJsonArray("deletedTags"), "tag")).containsExactlyInAnyOrder("t1", "t2", "t3", "v2");
        assertThat(field(dry.getJsonArray("skipped"), "tag")).containsExactly("v1");
        assertThat(dry.getJsonArray("skipped").getJsonObject(0).getString("reason")).contains("immutable");
        assertThat(dry.getJsonArray("deletedManifests")).isEmpty();
        assertThat(registry.tags(repo)).as("a dry run changes nothing").hasSize(8);
        assertThat(events("dev.berth.tag.deleted", repo)).isEmpty();

        JsonObject real = run("keep", false);
        assertThat(real.getBoolean("dryRun")).isFalse();
        assertThat(field(real.getJsonArray("deletedTags"), "tag")).containsExactlyInAnyOrder("t1", "t2", "t3", "v2");
        assertThat(registry.tags(repo)).containsExactly("stable", "t4", "t5", "v1");
        List<JsonObject> deleted = events("dev.berth.tag.deleted", repo);
        assertThat(field(new JsonArray(new ArrayList<>(deleted)), "tag")).containsExactlyInAnyOrder("t1", "t2", "t3", "v2");
        assertThat(deleted).allSatisfy(e -> assertThat(e.getString("actor")).isEqualTo("retention"));
        // Tags go, manifests stay (no delete-untagged rule), and another namespace is untouched.
        JsonObject t1 = real.getJsonArray("deletedTags").stream().map(JsonObject.class::cast)
                .filter(t -> t.getString("tag").equals("t1")).findFirst().orElseThrow();
        assertThat(registry.call("GET", "/v2/" + repo + "/manifests/" + t1.getString("digest"), null).status()).isEqualTo(200);
        assertThat(registry.call("GET", "/v2/keeper/app/manifests/" + otherNamespace, null).status()).isEqualTo(200);
        assertThat(registry.tags("keeper/app")).containsExactly("t1");

        assertThat(run("keep", false).getJsonArray("deletedTags")).as("a second run has nothing left to do").isEmpty();
    }

    private byte[] pushManifest(String repository, String reference, JsonObject manifest, String mediaType) throws Exception {
        byte[] bytes = manifest.encode().getBytes(StandardCharsets.UTF_8);
        PolicyRegistry.Reply reply = registry.call("PUT", "/v2/" + repository + "/manifests/"
                + (reference == null ? Digest.sha256(bytes).toString() : reference), bytes, mediaType);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return bytes;
    }

    private byte[] image(String repository, String reference, String marker, String subjectDigest, int subjectSize)
            throws Exception {
        byte[] config = ("{\"os\":\"linux\",\"architecture\":\"amd64\",\"marker\":\"" + marker + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(registry.pushBlob(repository, config).status()).isEqualTo(201);
        JsonObject manifest = new JsonObject(new String(PolicyRegistry.manifest(config, List.of()), StandardCharsets.UTF_8));
        if (subjectDigest != null) {
            manifest.put("subject", new JsonObject().put("mediaType", MediaTypes.OCI_MANIFEST)
                    .put("digest", subjectDigest).put("size", subjectSize));
        }
        return pushManifest(repository, reference, manifest, MediaTypes.OCI_MANIFEST);
    }

    private byte[] index(String repository, String reference, byte[]... children) throws Exception {
        JsonArray entries = new JsonArray();
        for (byte[] child : children) {
            entries.add(new JsonObject().put("mediaType", MediaTypes.OCI_MANIFEST)
                    .put("digest", Digest.sha256(child).toString()).put("size", child.length)
                    .put("platform", new JsonObject().put("os", "linux").put("architecture", "amd64")));
        }
        return pushManifest(repository, reference, new JsonObject().put("schemaVersion", 2)
                .put("mediaType", MediaTypes.OCI_INDEX).put("manifests", entries), MediaTypes.OCI_INDEX);
    }

    private static String digest(byte[] manifest) {
        return Digest.sha256(manifest).toString();
    }

    @Test
    void deleteUntaggedSparesIndexChildrenAndReferrersOfWhatStays() throws Exception {
        String repo = "prune/app";
        byte[] tagged = image(repo, "keep", "tagged", null, 0);
        byte[] loose = image(repo, null, "loose", null, 0);
        byte[] orphanChild = image(repo, null, "orphan-child", null, 0);
        byte[] orphanIndex = index(repo, null, orphanChild);
        byte[] keptChild = image(repo, null, "kept-child", null, 0);
        byte[] taggedIndex = index(repo, "multi", keptChild);
        byte[] signatureOfTagged = image(repo, null, "sig-tagged", digest(tagged), tagged.length);
        byte[] signatureOfLoose = image(repo, null, "sig-loose", digest(loose), loose.length);

        registry.ok("PUT", "/api/v1/registry/namespaces/prune/retention",
                "{\"rules\":[{\"type\":\"delete-untagged\",\"olderThan\":\"1d\"}]}");
        assertThat(run("prune", true).getJsonArray("deletedManifests")).as("nothing is a day old").isEmpty();

        registry.ok("PUT", "/api/v1/registry/namespaces/prune/retention",
                "{\"rules\":[{\"type\":\"delete-untagged\",\"olderThan\":\"0s\"}]}");
        List<String> gone = List.of(digest(loose), digest(orphanIndex), digest(orphanChild), digest(signatureOfLoose));
        List<String> dry = field(run("prune", true).getJsonArray("deletedManifests"), "digest");
        assertThat(dry).containsExactlyInAnyOrderElementsOf(gone);
        // An index goes before its child, a subject before its referrer.
        assertThat(dry.indexOf(digest(orphanIndex))).isLessThan(dry.indexOf(digest(orphanChild)));
        assertThat(dry.indexOf(digest(loose))).isLessThan(dry.indexOf(digest(signatureOfLoose)));

        List<String> real = field(run("prune", false).getJsonArray("deletedManifests"), "digest");
        assertThat(real).containsExactlyElementsOf(dry);
        for (String digest : gone) {
            assertThat(registry.call("GET", "/v2/" + repo + "/manifests/" + digest, null).status()).isEqualTo(404);
        }
        for (byte[] kept : List.of(tagged, taggedIndex, keptChild, signatureOfTagged)) {
            assertThat(registry.call("GET", "/v2/" + repo + "/manifests/" + digest(kept), null).status()).isEqualTo(200);
        }
        assertThat(field(new JsonArray(new ArrayList<>(events("dev.berth.image.deleted", repo))), "digest"))
                .containsExactlyElementsOf(dry);
        long counter = registry.used("prune");
        assertThat(registry.ok("POST", "/api/v1/registry/namespaces/prune/quota/recompute", null).getLong("usedBytes"))
                .as("usage follows retention's deletes").isEqualTo(counter);
    }

    @Test
    void aRunWhileAnotherHoldsTheNamespaceIsRefused() throws Exception {
        registry.ok("PUT", "/api/v1/registry/namespaces/busy/retention",
                "{\"rules\":[{\"type\":\"keep-latest-tags\",\"pattern\":\"*\",\"count\":1}]}");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement s = c.createStatement()) {
            s.execute("select pg_advisory_lock(" + Retention.LOCK_CLASS + ", hashtext('busy'))");
            PolicyRegistry.Reply refused = registry.call("POST", "/api/v1/registry/namespaces/busy/retention/run", "{}");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.code()).isEqualTo("retention_running");
            assertThat(run("busy", true).getBoolean("dryRun")).as("a dry run needs no lock").isTrue();
            // Unlock explicitly: a closed connection's backend may still hold it for a moment.
            s.execute("select pg_advisory_unlock(" + Retention.LOCK_CLASS + ", hashtext('busy'))");
        }
        assertThat(registry.call("POST", "/api/v1/registry/namespaces/busy/retention/run", "{}").status()).isEqualTo(200);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theScheduleAppliesTheRulesWithoutBeingAsked(@TempDir Path otherStorage) throws Exception {
        String repo = "timed/app";
        for (String tag : List.of("a", "b", "c")) {
            registry.pushImage(repo, tag, "timed-" + tag);
        }
        registry.ok("PUT", "/api/v1/registry/namespaces/timed/retention",
                "{\"rules\":[{\"type\":\"keep-latest-tags\",\"pattern\":\"*\",\"count\":1}]}");
        try (PolicyRegistry scheduled = PolicyRegistry.start(db, otherStorage, Map.of("registry.retention.interval", "200ms"))) {
            while (registry.tags(repo).size() > 1) {
                Thread.sleep(100);
            }
        }
        assertThat(registry.tags(repo)).containsExactly("c");
        assertThat(events("dev.berth.tag.deleted", repo)).hasSize(2);
    }
}
