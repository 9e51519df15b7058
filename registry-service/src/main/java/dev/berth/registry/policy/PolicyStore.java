package dev.berth.registry.policy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The stored policies of namespaces (quota, immutable tag patterns, retention rules) and their usage. */
public final class PolicyStore {

    /** What a namespace holds now, counted from the metadata itself (see V5__policies.sql). */
    static final String RECOUNT = """
            select coalesce(sum(size), 0)::bigint from (
                select distinct l.digest, b.size from repository_blobs l join blobs b on b.digest = l.digest
                where split_part(l.repository, '/', 1) = $1
                union all
                select distinct digest, size from manifests where split_part(repository, '/', 1) = $1
            ) content""";

    /** A namespace's usage and its limit (null when it has no quota). */
    public record Quota(String namespace, long usedBytes, Long limitBytes) {

        public JsonObject toJson() {
            return new JsonObject().put("namespace", namespace).put("limitBytes", limitBytes).put("usedBytes", usedBytes);
        }
    }

    private final Pool pool;

    public PolicyStore(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    public Future<Quota> quota(String namespace) {
        return pool.preparedQuery("""
                        select (select used_bytes from namespace_usage where namespace = $1),
                               (select limit_bytes from namespace_quotas where namespace = $1)""")
                .execute(Tuple.of(namespace)).map(rows -> {
                    Row row = rows.iterator().next();
                    Long used = row.getLong(0);
                    return new Quota(namespace, used == null ? 0 : used, row.getLong(1));
                });
    }

    public Future<Quota> setQuota(String namespace, long limitBytes) {
        return pool.preparedQuery("""
                        insert into namespace_quotas (namespace, limit_bytes) values ($1, $2)
                        on conflict (namespace) do update set limit_bytes = excluded.limit_bytes, updated_at = now()""")
                .execute(Tuple.of(namespace, limitBytes)).compose(v -> quota(namespace));
    }

    /** False when the namespace had no quota. */
    public Future<Boolean> deleteQuota(String namespace) {
        return pool.preparedQuery("delete from namespace_quotas where namespace = $1").execute(Tuple.of(namespace))
                .map(rows -> rows.rowCount() > 0);
    }

    /**
     * Recounts the namespace's usage from the metadata under the namespace lock and stores it; the
     * result holds the counter as it was before ({@code previousUsedBytes}) and after.
     */
    public Future<JsonObject> recompute(String namespace) {
        return pool.withTransaction(tx -> NamespaceGuard.lock(tx, namespace)
                .compose(locked -> tx.preparedQuery(RECOUNT).execute(Tuple.of(namespace))
                        .compose(rows -> {
                            long counted = rows.iterator().next().getLong(0);
                            return tx.preparedQuery("update namespace_usage set used_bytes = $2 where namespace = $1")
                                    .execute(Tuple.of(namespace, counted))
                                    .map(v -> new JsonObject().put("namespace", namespace)
                                            .put("previousUsedBytes", locked.used()).put("usedBytes", counted)
                                            .put("limitBytes", locked.limit()));
                        })));
    }

    public Future<ImmutableTags> immutableTags(String namespace) {
        return pool.preparedQuery("select patterns from immutable_tag_rules where namespace = $1")
                .execute(Tuple.of(namespace)).map(rows -> rows.size() == 0 ? ImmutableTags.NONE
                        : ImmutableTags.of(Arrays.asList(rows.iterator().next().getArrayOfStrings(0))));
    }

    /** Replaces the namespace's patterns; an empty list removes them. */
    public Future<ImmutableTags> setImmutableTags(String namespace, ImmutableTags rules) {
        Future<?> stored = rules.patterns().isEmpty()
                ? pool.preparedQuery("delete from immutable_tag_rules where namespace = $1").execute(Tuple.of(namespace))
                : pool.preparedQuery("""
                                insert into immutable_tag_rules (namespace, patterns) values ($1, $2)
                                on conflict (namespace) do update set patterns = excluded.patterns, updated_at = now()""")
                        .execute(Tuple.tuple().addString(namespace).addArrayOfString(rules.globs().toArray(new String[0])));
        return stored.map(v -> rules);
    }

    public Future<RetentionRules> retention(String namespace) {
        return pool.preparedQuery("select rules from retention_policies where namespace = $1")
                .execute(Tuple.of(namespace)).map(rows -> rows.size() == 0 ? RetentionRules.NONE
                        : RetentionRules.parse((JsonObject) rows.iterator().next().getValue(0)));
    }

    /** Replaces the namespace's retention rules; an empty list removes them. */
    public Future<RetentionRules> setRetention(String namespace, RetentionRules rules) {
        Future<?> stored = rules.rules().isEmpty()
                ? pool.preparedQuery("delete from retention_policies where namespace = $1").execute(Tuple.of(namespace))
                : pool.preparedQuery("""
                                insert into retention_policies (namespace, rules) values ($1, $2)
                                on conflict (namespace) do update set rules = excluded.rules, updated_at = now()""")
                        .execute(Tuple.of(namespace, rules.toJson()));
        return stored.map(v -> rules);
    }

    /** Namespaces with retention rules, for the scheduled run. */
    public Future<List<String>> namespacesWithRetention() {
        return pool.query("select namespace from retention_policies order by namespace").execute().map(rows -> {
            List<String> out = new ArrayList<>();
            rows.forEach(r -> out.add(r.getString(0)));
            return out;
        });
    }
}
