package dev.berth.registry.gc;

/**
 * The dry run's query: the mark phase as one recursive query, then counts of everything outside the
 * marked set. It applies the same rules as the sweep ({@link GarbageCollector}) in one snapshot, so
 * it also counts what the sweep would only reach in its later passes (an untagged index's children).
 * Parameters: $1 delete-untagged, $2 grace period in ms, $3 upload max age in ms.
 */
final class DryRun {

    private DryRun() {
    }

    static final String SQL = """
            with recursive
            edges (repository, parent, child) as (
                select repository, manifest, digest from manifest_references where kind = 'manifest'
                union all
                select repository, subject, digest from manifests where subject is not null),
            kept (repository, digest) as (
                select m.repository, m.digest from manifests m
                where not $1::boolean
                   or m.touched_at >= now() - $2::bigint * interval '1 millisecond'
                   or exists (select 1 from tags t where t.repository = m.repository and t.digest = m.digest)
                union
                select e.repository, e.child from kept k
                join edges e on e.repository = k.repository and e.parent = k.digest),
            doomed_manifests as (
                select m.size from manifests m
                where not exists (select 1 from kept k where k.repository = m.repository and k.digest = m.digest)),
            used as (
                select distinct r.repository, r.digest from manifest_references r
                join kept k on k.repository = r.repository and k.digest = r.manifest
                where r.kind = 'blob'),
            doomed_links as (
                select l.repository, l.digest from repository_blobs l
                where l.touched_at < now() - $2::bigint * interval '1 millisecond'
                  and not exists (select 1 from used u where u.repository = l.repository and u.digest = l.digest)),
            doomed_blobs as (
                select b.size from blobs b
                where not exists (select 1 from repository_blobs l where l.digest = b.digest
                                  and not exists (select 1 from doomed_links d
                                                  where d.repository = l.repository and d.digest = l.digest))
                  and not exists (select 1 from used u where u.digest = b.digest)),
            doomed_uploads as (
                select size from uploads where updated_at < now() - $3::bigint * interval '1 millisecond')
            select (select count(*) from doomed_manifests),
                   (select coalesce(sum(size), 0)::bigint from doomed_manifests),
                   (select count(*) from doomed_links),
                   (select count(*) from doomed_blobs),
                   (select coalesce(sum(size), 0)::bigint from doomed_blobs),
                   (select count(*) from doomed_uploads),
                   (select coalesce(sum(size), 0)::bigint from doomed_uploads)""";
}
