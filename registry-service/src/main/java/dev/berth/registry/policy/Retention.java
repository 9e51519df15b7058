package dev.berth.registry.policy;

import dev.berth.registry.api.RegistryException;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.meta.Origin;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs a namespace's retention rules: plans each repository ({@link RetentionPlan}), then deletes tag by
 * tag and manifest by manifest through {@link MetadataStore}, so every deletion writes the same events
 * as an API delete, respects immutable tags, and re-checks inside its own transaction that what was
 * planned still holds. Blob bytes are left to garbage collection.
 */
public final class Retention {

    /** First key of the two-key PostgreSQL advisory lock a real run holds per namespace ("RETN"). */
    static final int LOCK_CLASS = 0x5245544e;
    public static final String ACTOR = "retention";

    /** Another run holds the namespace. */
    public static final class Busy extends RuntimeException {
        Busy(String namespace) {
            super("a retention run for namespace \"" + namespace + "\" is in progress", null, false, false);
        }
    }

    private final MetadataStore metadata;
    private final PolicyStore store;

    public Retention(MetadataStore metadata, PolicyStore store) {
        this.metadata = metadata;
        this.store = store;
    }

    /** The report: what was (or, with {@code dryRun}, would be) deleted and which tags were spared. */
    public Future<JsonObject> run(String namespace, boolean dryRun) {
        if (dryRun) {
            return execute(namespace, true);
        }
        return store.pool().getConnection().compose(conn -> conn
                .preparedQuery("select pg_try_advisory_lock($1, hashtext($2))").execute(Tuple.of(LOCK_CLASS, namespace))
                .compose(rows -> {
                    if (!rows.iterator().next().getBoolean(0)) {
                        return Future.<JsonObject>failedFuture(new Busy(namespace));
                    }
                    return execute(namespace, false).eventually(() -> unlock(conn, namespace));
                })
                .eventually(conn::close));
    }

    private static Future<?> unlock(SqlConnection conn, String namespace) {
        return conn.preparedQuery("select pg_advisory_unlock($1, hashtext($2))").execute(Tuple.of(LOCK_CLASS, namespace));
    }

    private Future<JsonObject> execute(String namespace, boolean dryRun) {
        Origin origin = new Origin(ACTOR, "retention-" + UUID.randomUUID());
        JsonObject report = new JsonObject().put("namespace", namespace).put("dryRun", dryRun)
                .put("deletedTags", new JsonArray()).put("deletedManifests", new JsonArray()).put("skipped", new JsonArray());
        return Future.all(store.retention(namespace), store.immutableTags(namespace)).compose(both -> {
            RetentionRules rules = both.resultAt(0);
            ImmutableTags immutable = both.resultAt(1);
            if (rules.rules().isEmpty()) {
                return Future.succeededFuture(report);
            }
            return repositories(namespace).compose(repositories -> {
                Future<Void> chain = Future.succeededFuture();
                for (String repository : repositories) {
                    chain = chain.compose(v -> plan(repository, rules, immutable)
                            .compose(plan -> dryRun ? record(report, plan) : carryOut(report, plan, origin)));
                }
                return chain.map(report);
            });
        });
    }

    private Future<List<String>> repositories(String namespace) {
        return store.pool().preparedQuery("select name from repositories where split_part(name, '/', 1) = $1 order by name")
                .execute(Tuple.of(namespace)).map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    private Future<RetentionPlan> plan(String repository, RetentionRules rules, ImmutableTags immutable) {
        Duration age = rules.rules().stream().filter(r -> r instanceof RetentionRules.DeleteUntagged)
                .map(r -> ((RetentionRules.DeleteUntagged) r).olderThan()).min(Duration::compareTo).orElse(null);
        Future<List<RetentionPlan.TagRow>> tags = store.pool()
                .preparedQuery("select name, digest, updated_at from tags where repository = $1 order by updated_at desc, name")
                .execute(Tuple.of(repository)).map(rows -> {
                    List<RetentionPlan.TagRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new RetentionPlan.TagRow(r.getString(0), r.getString(1), r.getOffsetDateTime(2))));
                    return out;
                });
        Future<List<RetentionPlan.ManifestRow>> manifests = age == null ? Future.succeededFuture(List.of())
                : manifests(repository, age);
        return Future.all(tags, manifests).map(both -> RetentionPlan.of(repository, rules, immutable,
                both.resultAt(0), both.resultAt(1)));
    }

    private Future<List<RetentionPlan.ManifestRow>> manifests(String repository, Duration age) {
        Future<Map<String, List<String>>> children = store.pool().preparedQuery(
                        "select manifest, digest from manifest_references where repository = $1 and kind = 'manifest'")
                .execute(Tuple.of(repository)).map(rows -> {
                    Map<String, List<String>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r.getString(1)));
                    return out;
                });
        return children.compose(refs -> store.pool().preparedQuery("""
                        select digest, subject, created_at < now() - make_interval(secs => $2) from manifests
                        where repository = $1 order by created_at, digest""")
                .execute(Tuple.of(repository, age.toMillis() / 1000.0)).map(rows -> {
                    List<RetentionPlan.ManifestRow> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new RetentionPlan.ManifestRow(r.getString(0), r.getString(1), r.getBoolean(2),
                                refs.getOrDefault(r.getString(0), List.of())));
                    }
                    return out;
                }));
    }

    private static Future<Void> record(JsonObject report, RetentionPlan plan) {
        plan.tags.forEach(t -> report.getJsonArray("deletedTags").add(RetentionPlan.tagJson(plan.repository, t)));
        plan.manifests.forEach(d -> report.getJsonArray("deletedManifests").add(RetentionPlan.manifestJson(plan.repository, d)));
        report.getJsonArray("skipped").addAll(plan.skippedJson());
        return Future.succeededFuture();
    }

    private Future<Void> carryOut(JsonObject report, RetentionPlan plan, Origin origin) {
        report.getJsonArray("skipped").addAll(plan.skippedJson());
        String repository = plan.repository;
        Future<Void> chain = Future.succeededFuture();
        for (RetentionPlan.TagRow tag : plan.tags) {
            chain = chain.compose(v -> metadata.deleteTag(repository, tag.name(), origin, tx -> tagUnchanged(tx, repository, tag))
                    .map(deleted -> outcome(report, deleted, "deletedTags", RetentionPlan.tagJson(repository, tag)))
                    .recover(e -> denied(e, report, RetentionPlan.tagJson(repository, tag))));
        }
        for (String digest : plan.manifests) {
            chain = chain.compose(v -> metadata.deleteManifest(repository, digest, origin, tx -> stillUnused(tx, repository, digest))
                    .map(deleted -> outcome(report, deleted, "deletedManifests",
                            RetentionPlan.manifestJson(repository, digest)))
                    .recover(e -> denied(e, report, RetentionPlan.manifestJson(repository, digest))));
        }
        return chain;
    }

    private static Void outcome(JsonObject report, boolean deleted, String list, JsonObject item) {
        if (deleted) {
            report.getJsonArray(list).add(item);
        } else {
            report.getJsonArray("skipped").add(item.copy().put("reason", "changed since the run planned it"));
        }
        return null;
    }

    /** What an immutable tag came to protect between plan and deletion is spared, not an error. */
    private static Future<Void> denied(Throwable e, JsonObject report, JsonObject item) {
        if (e instanceof RegistryException denied) {
            report.getJsonArray("skipped").add(item.copy().put("reason", denied.getMessage()));
            return Future.succeededFuture();
        }
        return Future.failedFuture(e);
    }

    /** The tag still points where it did when planned, and was not pushed again since. */
    private static Future<Boolean> tagUnchanged(SqlClient tx, String repository, RetentionPlan.TagRow tag) {
        return tx.preparedQuery("select 1 from tags where repository = $1 and name = $2 and digest = $3 and updated_at = $4")
                .execute(Tuple.of(repository, tag.name(), tag.digest(), tag.updatedAt())).map(rows -> rows.size() > 0);
    }

    /** Still untagged, no index in the repository lists it, and its subject (if any) is gone. */
    private static Future<Boolean> stillUnused(SqlClient tx, String repository, String digest) {
        return tx.preparedQuery("""
                        select not exists (select 1 from tags where repository = $1 and digest = $2)
                           and not exists (select 1 from manifest_references
                                           where repository = $1 and digest = $2 and kind = 'manifest')
                           and not exists (select 1 from manifests s join manifests m
                                             on m.repository = s.repository and m.digest = $2 and s.digest = m.subject
                                           where s.repository = $1)""")
                .execute(Tuple.of(repository, digest)).map(rows -> rows.iterator().next().getBoolean(0));
    }
}
