package dev.berth.registry.meta;

import dev.berth.registry.policy.NamespaceGuard;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/** Registry metadata in PostgreSQL: repositories, blob links, manifests, tags, referrers, uploads. */
public final class MetadataStore {

    /** Takes the blob row's lock (or creates it): garbage collection skips or waits for a locked blob. */
    private static final String PIN_BLOB = """
            insert into blobs (digest, size) values ($1, $2)
            on conflict (digest) do update set size = excluded.size""";
    private static final String DELETE_UPLOAD = "delete from uploads where id = $1";
    private static final String LINK = """
            insert into repository_blobs (repository, digest) values ($1, $2)
            on conflict (repository, digest) do update set touched_at = now()""";

    private final Pool pool;
    private final Runnable eventsWritten;

    public MetadataStore(Pool pool) {
        this(pool, () -> { });
    }

    /** {@code eventsWritten} runs after a transaction that wrote outbox rows committed. */
    public MetadataStore(Pool pool, Runnable eventsWritten) {
        this.pool = pool;
        this.eventsWritten = eventsWritten;
    }

    private <T> Future<T> announced(Future<T> committed) {
        return committed.onSuccess(v -> eventsWritten.run());
    }

    public Pool pool() {
        return pool;
    }

    public Future<Boolean> repositoryExists(String repository) {
        return pool.preparedQuery("select 1 from repositories where name = $1")
                .execute(Tuple.of(repository)).map(rows -> rows.size() > 0);
    }

    /**
     * The blob's size when the repository links it, else null. A read counts as a use of the link: it
     * restarts the link's garbage-collection grace period (at most once a minute, to spare writes).
     */
    public Future<Long> linkedBlobSize(String repository, String digest) {
        return pool.preparedQuery("""
                        with touched as (update repository_blobs set touched_at = now()
                                         where repository = $1 and digest = $2 and touched_at < now() - interval '1 minute')
                        select b.size from repository_blobs l join blobs b on b.digest = l.digest
                        where l.repository = $1 and l.digest = $2""")
                .execute(Tuple.of(repository, digest))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
    }

    /**
     * Records a finished upload: the blob row is committed first (so bytes that {@code placeBytes}
     * writes are never unknown to garbage collection, even after a crash), then, holding that row's
     * lock, {@code placeBytes} moves the bytes into place and the repository's link is written. The
     * collector deletes bytes only while holding the same lock, so it can never delete them between
     * the move and the link. Fails with DENIED when the blob is new to the namespace and exceeds its
     * quota; the bytes then stay unlinked until garbage collection takes them. {@code finishedUpload},
     * when not null, is the upload session whose row goes in the same transaction as the link: one
     * commit (one WAL flush) less per push, and the session is never gone without the blob, or the
     * other way round.
     */
    public Future<Void> storeBlob(String repository, String digest, long size, Origin origin, UUID finishedUpload,
                                  Supplier<Future<Void>> placeBytes) {
        return pool.preparedQuery(PIN_BLOB).execute(Tuple.of(digest, size))
                .compose(pinned -> announced(pool.withTransaction(tx -> tx.preparedQuery(PIN_BLOB)
                        .execute(Tuple.of(digest, size))
                        .compose(locked -> placeBytes.get())
                        .compose(v -> NamespaceGuard.beforeBlobLink(tx, repository, digest, size))
                        .compose(v -> createRepository(tx, repository, origin))
                        .compose(v -> tx.preparedQuery(LINK).execute(Tuple.of(repository, digest)))
                        .compose(v -> finishedUpload == null ? Future.succeededFuture()
                                : tx.preparedQuery(DELETE_UPLOAD).execute(Tuple.of(finishedUpload)))
                        .mapEmpty())));
    }

    /**
     * Links a blob that {@code from} links into {@code repository} (a cross-repository mount),
     * creating the repository if it is new; false when {@code from} does not link it (any more).
     * Fails with DENIED when the blob is new to the target namespace and exceeds its quota.
     */
    public Future<Boolean> mountBlob(String from, String repository, String digest, Origin origin) {
        return announced(pool.withTransaction(tx -> tx.preparedQuery("""
                        select b.size from repository_blobs l join blobs b on b.digest = l.digest
                        where l.repository = $1 and l.digest = $2 for key share""")
                .execute(Tuple.of(from, digest))
                .compose(source -> source.size() == 0 ? Future.succeededFuture(false)
                        : NamespaceGuard.beforeBlobLink(tx, repository, digest, source.iterator().next().getLong(0))
                                .compose(v -> createRepository(tx, repository, origin))
                                .compose(v -> tx.preparedQuery(LINK).execute(Tuple.of(repository, digest)))
                                .map(true))));
    }

    private static Future<Void> createRepository(SqlClient tx, String repository, Origin origin) {
        return tx.preparedQuery("insert into repositories (name) values ($1) on conflict do nothing")
                .execute(Tuple.of(repository))
                .compose(created -> created.rowCount() == 0 ? Future.succeededFuture()
                        : Outbox.add(tx, Outbox.REPOSITORY_CREATED, repository, new JsonObject(), origin));
    }

    public Future<Boolean> unlinkBlob(String repository, String digest) {
        return pool.withTransaction(tx -> NamespaceGuard.beforeBlobUnlink(tx, repository, digest)
                .compose(v -> tx.preparedQuery("delete from repository_blobs where repository = $1 and digest = $2")
                        .execute(Tuple.of(repository, digest)))
                .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
                        : NamespaceGuard.afterBlobUnlink(tx, repository, digest).map(true)));
    }

    // ---- uploads

    public Future<Void> createUpload(UUID id, String repository) {
        return pool.preparedQuery("insert into uploads (id, repository) values ($1, $2)")
                .execute(Tuple.of(id, repository)).mapEmpty();
    }

    public Future<Upload> upload(UUID id) {
        return pool.preparedQuery("select repository, size from uploads where id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new Upload(id, row.getString(0), row.getLong(1));
                });
    }

    /** Moves the session from {@code from} to {@code to} bytes; false when another writer got there first. */
    public Future<Boolean> advanceUpload(UUID id, long from, long to) {
        return pool.preparedQuery("update uploads set size = $3, updated_at = now() where id = $1 and size = $2")
                .execute(Tuple.of(id, from, to)).map(rows -> rows.rowCount() == 1);
    }

    public Future<Boolean> deleteUpload(UUID id) {
        return pool.preparedQuery(DELETE_UPLOAD).execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 1);
    }

    // ---- manifests and tags

    public Future<StoredManifest> manifestByDigest(String repository, String digest) {
        return pool.preparedQuery("select digest, content_type, content from manifests where repository = $1 and digest = $2")
                .execute(Tuple.of(repository, digest)).map(MetadataStore::firstManifest);
    }

    public Future<StoredManifest> manifestByTag(String repository, String tag) {
        return pool.preparedQuery("""
                        select m.digest, m.content_type, m.content from tags t
                        join manifests m on m.repository = t.repository and m.digest = t.digest
                        where t.repository = $1 and t.name = $2""")
                .execute(Tuple.of(repository, tag)).map(MetadataStore::firstManifest);
    }

    private static StoredManifest firstManifest(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row row = rows.iterator().next();
        return new StoredManifest(row.getString(0), row.getString(1), row.getBuffer(2));
    }

    /** The digests among {@code digests} that the repository does not link as blobs. */
    public Future<List<String>> missingBlobs(String repository, List<String> digests) {
        return missing("repository_blobs", repository, digests);
    }

    /** The digests among {@code digests} that are not manifests in the repository. */
    public Future<List<String>> missingManifests(String repository, List<String> digests) {
        return missing("manifests", repository, digests);
    }

    private Future<List<String>> missing(String table, String repository, List<String> digests) {
        if (digests.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return pool.preparedQuery("select d from unnest($2::text[]) as d where not exists (select 1 from "
                        + table + " x where x.repository = $1 and x.digest = d)")
                .execute(Tuple.tuple().addString(repository).addArrayOfString(digests.toArray(new String[0])))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /**
     * Stores a manifest with its references and tags, and in the same transaction its events: the
     * repository's creation, and {@code image.pushed} when the push tags it (an untagged push, such as
     * an index's children, is not announced). Fails with DENIED, writing nothing, when it would move an
     * immutable tag or exceed the namespace's quota.
     */
    public Future<Void> putManifest(NewManifest m, Origin origin) {
        return announced(pool.withTransaction(tx -> NamespaceGuard.beforeManifestPut(tx, m.repository(), m.digest(),
                        m.content().length, m.tags())
                .compose(v -> lockPresent(tx, "repository_blobs", m.repository(), m.blobReferences()))
                .compose(v -> lockPresent(tx, "manifests", m.repository(), m.manifestReferences()))
                .compose(v -> createRepository(tx, m.repository(), origin))
                .compose(v -> tx.preparedQuery("""
                                insert into manifests (repository, digest, media_type, content_type, size, content,
                                                       artifact_type, subject, annotations)
                                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                                on conflict (repository, digest) do update set content_type = excluded.content_type,
                                                                            touched_at = now()""")
                        .execute(Tuple.tuple(List.of(m.repository(), m.digest(), m.mediaType(), m.contentType(),
                                (long) m.content().length, Buffer.buffer(m.content()))).addValue(m.artifactType())
                                .addValue(m.subject()).addValue(m.annotations())))
                .compose(v -> insertReferences(tx, m, m.blobReferences(), "blob"))
                .compose(v -> insertReferences(tx, m, m.manifestReferences(), "manifest"))
                .compose(v -> m.tags().isEmpty() ? Future.succeededFuture() : tx.preparedQuery("""
                                insert into tags (repository, name, digest) select $1, t, $2 from unnest($3::text[]) as t
                                on conflict (repository, name) do update set digest = excluded.digest, updated_at = now()""")
                        .execute(Tuple.tuple().addString(m.repository()).addString(m.digest())
                                .addArrayOfString(m.tags().toArray(new String[0])))
                        .compose(x -> Outbox.add(tx, Outbox.IMAGE_PUSHED, m.repository(), pushedData(m), origin)))
                .mapEmpty()));
    }

    /**
     * Locks the rows of {@code table} (blob links or manifests of the repository) that a manifest
     * being stored names, failing with {@link MissingContent} when one is gone. Garbage collection
     * deletes such rows only under a lock of its own, so each is either deleted before this (and the
     * push is refused) or stays until this transaction has stored the references that keep it.
     */
    private static Future<Void> lockPresent(SqlClient tx, String table, String repository, List<String> digests) {
        if (digests.isEmpty()) {
            return Future.succeededFuture();
        }
        String[] wanted = digests.stream().distinct().sorted().toArray(String[]::new);
        return tx.preparedQuery("select digest from " + table + " where repository = $1 and digest = any($2) "
                        + "order by digest for key share")
                .execute(Tuple.tuple().addString(repository).addArrayOfString(wanted))
                .map(rows -> {
                    List<String> present = strings(rows);
                    for (String digest : wanted) {
                        if (!present.contains(digest)) {
                            throw new MissingContent(digest);
                        }
                    }
                    return null;
                });
    }

    private static JsonObject pushedData(NewManifest m) {
        JsonObject data = new JsonObject().put("tags", new JsonArray(m.tags())).put("digest", m.digest())
                .put("mediaType", m.mediaType()).put("size", m.content().length);
        if (m.platforms() != null && !m.platforms().isEmpty()) {
            data.put("platforms", m.platforms());
        }
        return data;
    }

    private static Future<?> insertReferences(SqlClient tx, NewManifest m, List<String> digests, String kind) {
        if (digests.isEmpty()) {
            return Future.succeededFuture();
        }
        return tx.preparedQuery("""
                        insert into manifest_references (repository, manifest, digest, kind)
                        select $1, $2, d, $4 from unnest($3::text[]) as d on conflict do nothing""")
                .execute(Tuple.tuple().addString(m.repository()).addString(m.digest())
                        .addArrayOfString(digests.stream().distinct().toArray(String[]::new)).addString(kind));
    }

    /**
     * Deletes a manifest and the tags on it, announcing {@code image.deleted}; false when absent.
     * DENIED when an immutable tag points at it.
     */
    public Future<Boolean> deleteManifest(String repository, String digest, Origin origin) {
        return deleteManifest(repository, digest, origin, tx -> Future.succeededFuture(true));
    }

    /**
     * As {@link #deleteManifest(String, String, Origin)}, but only when {@code precondition}, asked inside
     * the transaction once the namespace is locked, holds; false otherwise.
     */
    public Future<Boolean> deleteManifest(String repository, String digest, Origin origin,
                                          Function<SqlClient, Future<Boolean>> precondition) {
        return announced(pool.withTransaction(tx -> NamespaceGuard.beforeManifestDelete(tx, repository, digest)
                .compose(v -> precondition.apply(tx))
                .compose(go -> !go ? Future.succeededFuture(false) : tx
                .preparedQuery("select name from tags where repository = $1 and digest = $2 order by name")
                .execute(Tuple.of(repository, digest))
                .compose(tags -> tx.preparedQuery("delete from manifests where repository = $1 and digest = $2 returning media_type, size")
                        .execute(Tuple.of(repository, digest))
                        .compose(deleted -> {
                            if (deleted.rowCount() == 0) {
                                return Future.succeededFuture(false);
                            }
                            Row row = deleted.iterator().next();
                            JsonObject data = new JsonObject().put("digest", digest)
                                    .put("mediaType", row.getString(0))
                                    .put("tags", new JsonArray(strings(tags)));
                            return NamespaceGuard.afterManifestDelete(tx, repository, digest, row.getLong(1))
                                    .compose(x -> Outbox.add(tx, Outbox.IMAGE_DELETED, repository, data, origin))
                                    .map(true);
                        })))));
    }

    /** Removes a tag (the manifest stays), announcing {@code tag.deleted}; false when absent; DENIED when immutable. */
    public Future<Boolean> deleteTag(String repository, String tag, Origin origin) {
        return deleteTag(repository, tag, origin, tx -> Future.succeededFuture(true));
    }

    /** As {@link #deleteTag(String, String, Origin)}, but only when {@code precondition} holds (see deleteManifest). */
    public Future<Boolean> deleteTag(String repository, String tag, Origin origin,
                                     Function<SqlClient, Future<Boolean>> precondition) {
        return announced(pool.withTransaction(tx -> NamespaceGuard.beforeTagDelete(tx, repository, tag)
                .compose(v -> precondition.apply(tx))
                .compose(go -> !go ? Future.succeededFuture(false) : tx
                .preparedQuery("delete from tags where repository = $1 and name = $2 returning digest")
                .execute(Tuple.of(repository, tag))
                .compose(deleted -> deleted.rowCount() == 0 ? Future.succeededFuture(false)
                        : Outbox.add(tx, Outbox.TAG_DELETED, repository, new JsonObject().put("tag", tag)
                                .put("digest", deleted.iterator().next().getString(0)), origin).map(true)))));
    }

    /** Up to {@code limit} tag names after {@code last} (exclusive; null = from the start), in byte order. */
    public Future<List<String>> tags(String repository, String last, int limit) {
        return pool.preparedQuery("select name from tags where repository = $1 and name > $2 order by name limit $3")
                .execute(Tuple.of(repository, last == null ? "" : last, limit)).map(MetadataStore::strings);
    }

    public Future<List<String>> repositories(String last, int limit) {
        return pool.preparedQuery("select name from repositories where name > $1 order by name limit $2")
                .execute(Tuple.of(last == null ? "" : last, limit)).map(MetadataStore::strings);
    }

    private static List<String> strings(RowSet<Row> rows) {
        List<String> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(r.getString(0)));
        return out;
    }

    public Future<List<Referrer>> referrers(String repository, String subject, String artifactType) {
        String sql = "select media_type, digest, size, artifact_type, annotations from manifests "
                + "where repository = $1 and subject = $2" + (artifactType == null ? "" : " and artifact_type = $3")
                + " order by created_at, digest";
        Tuple args = artifactType == null ? Tuple.of(repository, subject) : Tuple.of(repository, subject, artifactType);
        return pool.preparedQuery(sql).execute(args).map(rows -> {
            List<Referrer> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                Object ann = r.getValue(4);
                out.add(new Referrer(r.getString(0), r.getString(1), r.getLong(2), r.getString(3),
                        ann instanceof io.vertx.core.json.JsonObject json ? json : null));
            }
            return out;
        });
    }
}
