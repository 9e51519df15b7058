package dev.berth.registry.policy;

import dev.berth.oci.Names;
import dev.berth.registry.api.ErrorCode;
import dev.berth.registry.api.RegistryException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.List;

/**
 * The quota and immutable-tag checks, and the usage bookkeeping, that every metadata change makes
 * inside its own transaction. Each entry point first locks the namespace's usage row (creating it),
 * so all changes to one namespace's content are serialised: whether a digest is new to the
 * namespace, the check against the limit and the increment see one state, and a refusal rolls the
 * whole change back.
 */
public final class NamespaceGuard {

    /** Locks (creating) the usage row; answers usage, limit (null = none) and immutable patterns. */
    private static final String LOCK = """
            insert into namespace_usage (namespace) values ($1)
            on conflict (namespace) do update set used_bytes = namespace_usage.used_bytes
            returning used_bytes,
                      (select limit_bytes from namespace_quotas q where q.namespace = $1),
                      (select patterns from immutable_tag_rules r where r.namespace = $1)""";
    private static final String BLOB_HELD = """
            select exists (select 1 from repository_blobs
                           where digest = $2 and split_part(repository, '/', 1) = $1)""";
    private static final String MANIFEST_HELD = """
            select exists (select 1 from manifests where digest = $2 and split_part(repository, '/', 1) = $1)""";
    private static final String ADD = "update namespace_usage set used_bytes = used_bytes + $2 where namespace = $1";
    private static final String SUBTRACT = "update namespace_usage set used_bytes = greatest(0, used_bytes - $2) where namespace = $1";

    private NamespaceGuard() {
    }

    /** What the lock read: the namespace's state while this transaction holds it. */
    record Locked(String namespace, long used, Long limit, ImmutableTags immutable) {

        void admit(long need) {
            if (limit != null && need > 0 && used + need > limit) {
                throw new RegistryException(ErrorCode.DENIED, "quota of namespace \"" + namespace + "\" exceeded: used "
                        + used + " of " + limit + " bytes, this push needs " + need,
                        new io.vertx.core.json.JsonObject().put("namespace", namespace).put("usedBytes", used)
                                .put("limitBytes", limit).put("neededBytes", need));
            }
        }
    }

    static Future<Locked> lock(SqlClient tx, String namespace) {
        return tx.preparedQuery(LOCK).execute(Tuple.of(namespace)).map(rows -> {
            Row row = rows.iterator().next();
            String[] patterns = row.getArrayOfStrings(2);
            return new Locked(namespace, row.getLong(0), row.getLong(1),
                    patterns == null ? ImmutableTags.NONE : ImmutableTags.of(Arrays.asList(patterns)));
        });
    }

    /**
     * Locks the namespaces of {@code repositories} in name order, for a change that spans namespaces
     * (garbage collection). Every other change locks one namespace, before any content row.
     */
    public static Future<Void> lockNamespaces(SqlClient tx, java.util.Collection<String> repositories) {
        Future<Void> chain = Future.succeededFuture();
        for (String namespace : repositories.stream().map(Names::namespace).distinct().sorted().toList()) {
            chain = chain.compose(v -> lock(tx, namespace).mapEmpty());
        }
        return chain;
    }

    /** Before linking a blob: refuses it when it is new to the namespace and does not fit, else counts it. */
    public static Future<Void> beforeBlobLink(SqlClient tx, String repository, String digest, long size) {
        String namespace = Names.namespace(repository);
        return lock(tx, namespace).compose(locked -> held(tx, BLOB_HELD, namespace, digest).compose(held -> {
            if (held) {
                return Future.succeededFuture();
            }
            locked.admit(size);
            return add(tx, namespace, size);
        }));
    }

    /**
     * Before unlinking a blob: takes the lock, so {@link #afterBlobUnlink} sees a settled namespace, and
     * refuses when an image under an immutable tag (directly or through an index) uses the blob.
     */
    public static Future<Void> beforeBlobUnlink(SqlClient tx, String repository, String digest) {
        return lock(tx, Names.namespace(repository)).compose(locked -> locked.immutable().patterns().isEmpty()
                ? Future.succeededFuture()
                : tx.preparedQuery("""
                                select t.name, t.digest from tags t
                                where t.repository = $1 and (
                                    exists (select 1 from manifest_references r
                                            where r.repository = $1 and r.manifest = t.digest and r.digest = $2)
                                    or exists (select 1 from manifest_references c join manifest_references r
                                                 on r.repository = c.repository and r.manifest = c.digest
                                               where c.repository = $1 and c.manifest = t.digest
                                                 and c.kind = 'manifest' and r.digest = $2))
                                order by t.name""")
                        .execute(Tuple.of(repository, digest)).map(rows -> {
                            for (Row row : rows) {
                                String tag = row.getString(0);
                                if (locked.immutable().rule(tag) != null) {
                                    throw denied(locked, repository, tag, "the image it points at ("
                                            + row.getString(1) + ") uses blob " + digest);
                                }
                            }
                            return null;
                        }));
    }

    /** After a blob link was removed: the namespace stops counting it once no repository of it links it. */
    public static Future<Void> afterBlobUnlink(SqlClient tx, String repository, String digest) {
        String namespace = Names.namespace(repository);
        return held(tx, BLOB_HELD, namespace, digest).compose(held -> held ? Future.succeededFuture()
                : tx.preparedQuery("""
                                update namespace_usage u set used_bytes = greatest(0, u.used_bytes - b.size)
                                from blobs b where u.namespace = $1 and b.digest = $2""")
                        .execute(Tuple.of(namespace, digest)).mapEmpty());
    }

    /**
     * Before storing a manifest with {@code tags}: refuses moving an immutable tag to another digest,
     * and manifest bytes new to the namespace that do not fit; else counts them.
     */
    public static Future<Void> beforeManifestPut(SqlClient tx, String repository, String digest, long size,
                                                 List<String> tags) {
        String namespace = Names.namespace(repository);
        return lock(tx, namespace).compose(locked -> movedImmutableTags(tx, locked, repository, digest, tags)
                .compose(v -> held(tx, MANIFEST_HELD, namespace, digest))
                .compose(held -> {
                    if (held) {
                        return Future.succeededFuture();
                    }
                    locked.admit(size);
                    return add(tx, namespace, size);
                }));
    }

    private static Future<Void> movedImmutableTags(SqlClient tx, Locked locked, String repository, String digest,
                                                   List<String> tags) {
        List<String> guarded = tags.stream().filter(t -> locked.immutable().rule(t) != null).toList();
        if (guarded.isEmpty()) {
            return Future.succeededFuture();
        }
        return tx.preparedQuery("select name, digest from tags where repository = $1 and name = any($2) and digest <> $3 order by name")
                .execute(Tuple.tuple().addString(repository).addArrayOfString(guarded.toArray(new String[0]))
                        .addString(digest))
                .map(rows -> {
                    if (rows.size() > 0) {
                        Row row = rows.iterator().next();
                        String tag = row.getString(0);
                        throw denied(locked, repository, tag, "it points at " + row.getString(1)
                                + " and cannot be moved to " + digest);
                    }
                    return null;
                });
    }

    /**
     * Before deleting a manifest: refuses when an immutable tag points at it (the delete would remove the
     * tag) or at an index listing it (the delete would break what the tag serves).
     */
    public static Future<Void> beforeManifestDelete(SqlClient tx, String repository, String digest) {
        return lock(tx, Names.namespace(repository)).compose(locked -> locked.immutable().patterns().isEmpty()
                ? Future.succeededFuture()
                : tx.preparedQuery("""
                                select name, digest from tags where repository = $1 and (digest = $2 or digest in (
                                    select manifest from manifest_references
                                    where repository = $1 and digest = $2 and kind = 'manifest'))
                                order by name""")
                        .execute(Tuple.of(repository, digest)).map(rows -> {
                            for (Row row : rows) {
                                String tag = row.getString(0);
                                if (locked.immutable().rule(tag) != null) {
                                    throw denied(locked, repository, tag, row.getString(1).equals(digest)
                                            ? "deleting manifest " + digest + " would remove it"
                                            : "it points at index " + row.getString(1) + ", which lists manifest " + digest);
                                }
                            }
                            return null;
                        }));
    }

    /** After a manifest row was deleted: the namespace stops counting its bytes once no repository of it has it. */
    public static Future<Void> afterManifestDelete(SqlClient tx, String repository, String digest, long size) {
        String namespace = Names.namespace(repository);
        return held(tx, MANIFEST_HELD, namespace, digest).compose(held -> held ? Future.succeededFuture()
                : tx.preparedQuery(SUBTRACT).execute(Tuple.of(namespace, size)).mapEmpty());
    }

    /** Before deleting a tag: refuses when it exists and is immutable. */
    public static Future<Void> beforeTagDelete(SqlClient tx, String repository, String tag) {
        return lock(tx, Names.namespace(repository)).compose(locked -> locked.immutable().rule(tag) == null
                ? Future.succeededFuture()
                : tx.preparedQuery("select 1 from tags where repository = $1 and name = $2")
                        .execute(Tuple.of(repository, tag)).map(rows -> {
                            if (rows.size() > 0) {
                                throw denied(locked, repository, tag, "it cannot be deleted");
                            }
                            return null;
                        }));
    }

    /**
     * A quick refusal before an upload's bytes are moved into place, so a push that cannot fit usually
     * leaves nothing behind; {@link #beforeBlobLink} is the check that counts.
     */
    public static Future<Void> precheckBlob(SqlClient client, String repository, String digest, long size) {
        String namespace = Names.namespace(repository);
        return client.preparedQuery("""
                        select (select used_bytes from namespace_usage where namespace = $1),
                               (select limit_bytes from namespace_quotas where namespace = $1),
                               exists (select 1 from repository_blobs where digest = $2 and split_part(repository, '/', 1) = $1)""")
                .execute(Tuple.of(namespace, digest)).map(rows -> {
                    Row row = rows.iterator().next();
                    Long used = row.getLong(0);
                    if (!row.getBoolean(2)) {
                        new Locked(namespace, used == null ? 0 : used, row.getLong(1), ImmutableTags.NONE).admit(size);
                    }
                    return null;
                });
    }

    private static RegistryException denied(Locked locked, String repository, String tag, String why) {
        return new RegistryException(ErrorCode.DENIED, "tag \"" + tag + "\" of " + repository
                + " is immutable (namespace \"" + locked.namespace() + "\", pattern \"" + locked.immutable().rule(tag)
                + "\"): " + why, new io.vertx.core.json.JsonObject().put("tag", tag));
    }

    private static Future<Boolean> held(SqlClient tx, String sql, String namespace, String digest) {
        return tx.preparedQuery(sql).execute(Tuple.of(namespace, digest)).map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static Future<Void> add(SqlClient tx, String namespace, long bytes) {
        return tx.preparedQuery(ADD).execute(Tuple.of(namespace, bytes)).mapEmpty();
    }
}
