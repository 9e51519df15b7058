package dev.berth.registry.gc;

import dev.berth.oci.Digest;
import dev.berth.registry.policy.NamespaceGuard;
import dev.berth.registry.storage.BlobStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Online mark-and-sweep over the metadata in PostgreSQL while the registry keeps serving. Four phases,
 * each in batches of one transaction: untagged manifests (when enabled), blob links no manifest of
 * their repository references, blobs nothing links or references (their bytes first, then the row),
 * and abandoned uploads. Every batch locks its candidates ({@code for update skip locked}, so it never
 * waits for a push's row) and re-checks them in a later statement, which sees everything committed
 * before the locks were taken; pushes lock what they name the same way (see {@code MetadataStore}), so
 * a candidate is either deleted before a push looks for it (the push is refused) or kept. Deleting
 * links and manifests also lowers the namespaces' quota usage, under their locks.
 */
public final class GarbageCollector {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GarbageCollector.class);
    /** Rows read per batch (and at most deleted per transaction). */
    static final int BATCH = 1000;
    private static final int PARALLEL_DELETES = 8;

    /** The conditions under which manifest {@code m} may go: untagged, unreferenced, subject gone, old. */
    private static final String MANIFEST_UNUSED = """
            m.touched_at < now() - $1::bigint * interval '1 millisecond'
            and not exists (select 1 from tags t where t.repository = m.repository and t.digest = m.digest)
            and not exists (select 1 from manifest_references r
                            where r.repository = m.repository and r.digest = m.digest and r.kind = 'manifest')
            and (m.subject is null or not exists (select 1 from manifests s
                                                  where s.repository = m.repository and s.digest = m.subject))""";
    private static final String LINK_UNUSED = """
            l.touched_at < now() - $1::bigint * interval '1 millisecond'
            and not exists (select 1 from manifest_references r
                            where r.repository = l.repository and r.digest = l.digest and r.kind = 'blob')""";
    private static final String BLOB_UNUSED = """
            not exists (select 1 from repository_blobs l where l.digest = b.digest)
            and not exists (select 1 from manifest_references r where r.digest = b.digest and r.kind = 'blob')""";

    private final Pool pool;
    private final BlobStore blobs;
    private final GcSettings settings;

    private final int batch;

    public GarbageCollector(Pool pool, BlobStore blobs, GcSettings settings) {
        this(pool, blobs, settings, BATCH);
    }

    /** With another batch size: tests use tiny ones so that every phase spans several batches. */
    GarbageCollector(Pool pool, BlobStore blobs, GcSettings settings, int batch) {
        this.pool = pool;
        this.blobs = blobs;
        this.settings = settings;
        this.batch = batch;
    }

    public GcSettings settings() {
        return settings;
    }

    /** Deletes what nothing uses any more; what it deleted. */
    public Future<GcReport> collect() {
        Future<GcReport> manifests = settings.deleteUntagged() ? manifestPasses(GcReport.EMPTY)
                : Future.succeededFuture(GcReport.EMPTY);
        return timed("manifests", manifests)
                .compose(r -> timed("blob links", sweep(r, Key.START, this::linkBatch)))
                .compose(r -> timed("blobs", sweep(r, Key.START, this::blobBatch)))
                .compose(r -> timed("uploads", sweep(r, Key.START, this::uploadBatch)));
    }

    private static Future<GcReport> timed(String phase, Future<GcReport> running) {
        long start = System.nanoTime();
        return running.onSuccess(total -> LOG.info("gc phase {} done after {} ms; totals so far {}", phase,
                (System.nanoTime() - start) / 1_000_000, total.toJson().encode()));
    }

    /** What {@link #collect()} would delete now, computed in one read-only query. */
    public Future<GcReport> estimate() {
        return pool.preparedQuery(DryRun.SQL)
                .execute(Tuple.of(settings.deleteUntagged(), settings.gracePeriod().toMillis(),
                        settings.uploadMaxAge().toMillis()))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new GcReport(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
                            r.getLong(5), r.getLong(6));
                });
    }

    /** One batch: what it deleted, and the key to continue after (null when the phase is done). */
    private record Batch(GcReport deleted, Key next) {
    }

    /** A position in a phase's key order: (repository, digest), or a single key in {@code first}. */
    private record Key(String first, String second) {
        static final Key START = new Key("", "");
    }

    /** Runs batches in key order until one says the phase is done. */
    private Future<GcReport> sweep(GcReport total, Key after, Function<Key, Future<Batch>> batch) {
        return batch.apply(after).compose(b -> b.next() == null ? Future.succeededFuture(total.plus(b.deleted()))
                : sweep(total.plus(b.deleted()), b.next(), batch));
    }

    /** Deleting a manifest can free its children and referrers, so passes repeat until one deletes none. */
    private Future<GcReport> manifestPasses(GcReport total) {
        return sweep(GcReport.EMPTY, Key.START, this::manifestBatch).compose(pass -> pass.manifests() == 0
                ? Future.succeededFuture(total) : manifestPasses(total.plus(pass)));
    }

    private long grace() {
        return settings.gracePeriod().toMillis();
    }

    private Future<Batch> manifestBatch(Key after) {
        return pairBatch(after, "manifests", "m", MANIFEST_UNUSED, ", m.size",
                (tx, row) -> NamespaceGuard.afterManifestDelete(tx, row.getString(0), row.getString(1), row.getLong(2)),
                (deleted, next) -> new Batch(new GcReport(deleted.rowCount(), sum(deleted, 2), 0, 0, 0, 0, 0), next));
    }

    private Future<Batch> linkBatch(Key after) {
        return pairBatch(after, "repository_blobs", "l", LINK_UNUSED, "",
                (tx, row) -> NamespaceGuard.afterBlobUnlink(tx, row.getString(0), row.getString(1)),
                (deleted, next) -> new Batch(new GcReport(0, 0, deleted.rowCount(), 0, 0, 0, 0), next));
    }

    /**
     * One batch of a table keyed by (repository, digest): the next {@code batch} keys in index order
     * (so a run reads each row once, however much is garbage); of those, the ones that meet
     * {@code unused}; a lock on their namespaces (in name order, before any row, as every push takes
     * its namespace's: see {@code NamespaceGuard}); a lock on the rows themselves ({@code skip locked}:
     * a push holding one keeps it); the delete of those that still meet {@code unused}, which sees
     * every push that committed before the locks were taken; and what went, off the namespaces' usage.
     */
    private Future<Batch> pairBatch(Key after, String table, String alias, String unused, String extraColumns,
                                    BiFunction<SqlClient, Row, Future<Void>> usage,
                                    BiFunction<RowSet<Row>, Key, Batch> result) {
        String a = alias + ".";
        String key = a + "repository, " + a + "digest";
        String matches = " join unnest($2::text[], $3::text[]) as c (repository, digest) on " + a + "repository = c.repository and "
                + a + "digest = c.digest where " + unused;
        return pool.withTransaction(tx -> tx.preparedQuery("select repository, digest from " + table
                        + " where (repository, digest) > ($1, $2) order by repository, digest limit $3")
                .execute(Tuple.of(after.first(), after.second(), batch))
                .compose(window -> {
                    if (window.size() == 0) {
                        return Future.succeededFuture(new Batch(GcReport.EMPTY, null));
                    }
                    Keys keys = Keys.of(window);
                    Key next = window.size() < batch ? null : keys.last();
                    Batch none = new Batch(GcReport.EMPTY, next);
                    return tx.preparedQuery("select " + key + " from " + table + " " + alias + matches)
                            .execute(keys.args(grace()))
                            .compose(candidates -> candidates.size() == 0 ? Future.succeededFuture(none)
                                    : NamespaceGuard.lockNamespaces(tx, Keys.of(candidates).repositories())
                                            .compose(v -> tx.preparedQuery("select " + key + " from " + table + " " + alias
                                                            + matches + " for update of " + alias + " skip locked")
                                                    .execute(Keys.of(candidates).args(grace())))
                                            .compose(locked -> locked.size() == 0 ? Future.succeededFuture(none)
                                                    : tx.preparedQuery("delete from " + table + " " + alias
                                                                    + " using unnest($2::text[], $3::text[]) as c (repository, digest) where "
                                                                    + a + "repository = c.repository and " + a + "digest = c.digest and "
                                                                    + unused + " returning " + key + extraColumns)
                                                            .execute(Keys.of(locked).args(grace()))
                                                            .compose(deleted -> eachInTurn(deleted, row -> usage.apply(tx, row))
                                                                    .map(v -> result.apply(deleted, next)))));
                }));
    }

    /** Runs {@code action} on each row, one after the other (statements of one transaction). */
    private static Future<Void> eachInTurn(RowSet<Row> rows, Function<Row, Future<Void>> action) {
        Future<Void> chain = Future.succeededFuture();
        for (Row row : rows) {
            chain = chain.compose(v -> action.apply(row));
        }
        return chain;
    }

    /** (repository, digest) pairs as two arrays, the way unnest takes them. */
    private record Keys(List<String> repositories, List<String> digests) {
        static Keys of(Iterable<Row> rows) {
            Keys keys = new Keys(new ArrayList<>(), new ArrayList<>());
            for (Row row : rows) {
                keys.repositories.add(row.getString(0));
                keys.digests.add(row.getString(1));
            }
            return keys;
        }

        Key last() {
            return new Key(repositories.get(repositories.size() - 1), digests.get(digests.size() - 1));
        }

        Tuple args(long grace) {
            return Tuple.tuple().addLong(grace).addArrayOfString(repositories.toArray(new String[0]))
                    .addArrayOfString(digests.toArray(new String[0]));
        }
    }

    /**
     * Blobs, in batches of the next {@code batch} digests: the bytes are deleted while the rows are
     * locked, and the rows after them in the same transaction. A crash in between leaves rows without
     * bytes that nothing can reach (no link, no reference), which the next run deletes again; it never
     * leaves bytes no row knows of.
     */
    private Future<Batch> blobBatch(Key after) {
        return pool.withTransaction(tx -> tx.preparedQuery("select digest from blobs where digest > $1 order by digest limit $2")
                .execute(Tuple.of(after.first(), batch))
                .compose(window -> {
                    if (window.size() == 0) {
                        return Future.succeededFuture(new Batch(GcReport.EMPTY, null));
                    }
                    List<String> keys = strings(window);
                    Key next = window.size() < batch ? null : new Key(keys.get(keys.size() - 1), "");
                    return tx.preparedQuery("select b.digest from blobs b where b.digest = any($1) and " + BLOB_UNUSED
                                    + " for update of b skip locked")
                            .execute(Tuple.tuple().addArrayOfString(keys.toArray(new String[0])))
                            .compose(locked -> locked.size() == 0 ? Future.succeededFuture(new Batch(GcReport.EMPTY, next))
                                    : deleteBlobs(tx, strings(locked)).map(deleted -> new Batch(deleted, next)));
                }));
    }

    /** Re-checks the locked blobs, deletes the bytes of those still unused, then their rows. */
    private Future<GcReport> deleteBlobs(io.vertx.sqlclient.SqlConnection tx, List<String> locked) {
        return tx.preparedQuery("select b.digest, b.size from blobs b where b.digest = any($1) and " + BLOB_UNUSED)
                .execute(Tuple.tuple().addArrayOfString(locked.toArray(new String[0])))
                .compose(unused -> {
                    List<String> doomed = strings(unused);
                    long bytes = sum(unused, 1);
                    return inParallel(doomed, digest -> blobs.deleteBlob(Digest.parse(digest)))
                            .compose(v -> doomed.isEmpty() ? Future.succeededFuture()
                                    : tx.preparedQuery("delete from blobs where digest = any($1)")
                                            .execute(Tuple.tuple().addArrayOfString(doomed.toArray(new String[0]))))
                            .map(v -> new GcReport(0, 0, 0, doomed.size(), bytes, 0, 0));
                });
    }

    /** Uploads idle past the limit: bytes first, then the row, as for blobs. */
    private Future<Batch> uploadBatch(Key after) {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                        select id, size from uploads
                        where id > $1 and updated_at < now() - $2::bigint * interval '1 millisecond'
                        order by id limit $3 for update skip locked""")
                .execute(Tuple.of(after.first().isEmpty() ? new UUID(0, 0) : UUID.fromString(after.first()),
                        settings.uploadMaxAge().toMillis(), batch))
                .compose(locked -> {
                    if (locked.size() == 0) {
                        return Future.succeededFuture(new Batch(GcReport.EMPTY, null));
                    }
                    List<UUID> ids = new ArrayList<>();
                    locked.forEach(row -> ids.add(row.getUUID(0)));
                    long bytes = sum(locked, 1);
                    Key next = locked.size() < batch ? null : new Key(ids.get(ids.size() - 1).toString(), "");
                    return inParallel(ids, blobs::deleteUpload)
                            .compose(v -> tx.preparedQuery("delete from uploads where id = any($1)")
                                    .execute(Tuple.tuple().addArrayOfUUID(ids.toArray(new UUID[0]))))
                            .map(v -> new Batch(new GcReport(0, 0, 0, 0, 0, ids.size(), bytes), next));
                }));
    }

    /** Runs {@code action} on every item, at most {@link #PARALLEL_DELETES} at a time. */
    private static <T> Future<Void> inParallel(List<T> items, Function<T, Future<Void>> action) {
        List<Future<Void>> lanes = new ArrayList<>();
        java.util.Iterator<T> queue = items.iterator();
        for (int i = 0; i < PARALLEL_DELETES; i++) {
            lanes.add(lane(queue, action));
        }
        return Future.all(lanes).mapEmpty();
    }

    private static <T> Future<Void> lane(java.util.Iterator<T> queue, Function<T, Future<Void>> action) {
        if (!queue.hasNext()) {
            return Future.succeededFuture();
        }
        return action.apply(queue.next()).compose(v -> lane(queue, action));
    }

    private static List<String> strings(Iterable<Row> rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.getString(0)));
        return out;
    }

    private static long sum(Iterable<Row> rows, int column) {
        long total = 0;
        for (Row r : rows) {
            total += r.getLong(column);
        }
        return total;
    }
}
