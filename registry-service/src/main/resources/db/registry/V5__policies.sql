-- Per-namespace policies (namespace = a repository name's first path component): storage quotas,
-- immutable tag patterns and retention rules, and the usage counter quotas are checked against.

-- Bytes a namespace holds: each blob linked by any of its repositories once, plus each manifest
-- digest stored in any of its repositories once. Every transaction that links, unlinks, stores or
-- deletes content locks its namespace's row first, so "is this digest new to the namespace?", the
-- quota check and the increment see one consistent state.
create table namespace_usage (
    namespace   text collate "C" primary key,
    used_bytes  bigint not null default 0
);

create table namespace_quotas (
    namespace    text collate "C" primary key,
    limit_bytes  bigint not null check (limit_bytes >= 0),
    updated_at   timestamptz not null default now()
);

create table immutable_tag_rules (
    namespace   text collate "C" primary key,
    patterns    text[] not null,
    updated_at  timestamptz not null default now()
);

create table retention_policies (
    namespace   text collate "C" primary key,
    rules       jsonb not null,
    updated_at  timestamptz not null default now()
);

-- "Does another repository of the namespace still hold this digest?" looks up by digest
-- (repository_blobs has its digest index from V4).
create index policy_manifests_by_digest on manifests (digest);

-- Usage of what was pushed before this migration.
insert into namespace_usage (namespace, used_bytes)
select namespace, sum(size) from (
    select distinct split_part(l.repository, '/', 1) as namespace, l.digest, b.size
    from repository_blobs l join blobs b on b.digest = l.digest
    union all
    select distinct split_part(repository, '/', 1), digest, size from manifests
) content
group by namespace;
