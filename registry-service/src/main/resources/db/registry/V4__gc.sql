-- Online garbage collection (dev.berth.registry.gc). See the module README for the design.

-- When a blob link was last created or read (throttled): a link no manifest references is kept for
-- the grace period after that, so a client that was just told "this blob is here" can still push
-- a manifest naming it.
alter table repository_blobs add column touched_at timestamptz not null default now();
-- When a manifest was last pushed: an untagged manifest is kept for the grace period after its
-- push, so the index (or the tag) about to name it can follow.
alter table manifests add column touched_at timestamptz not null default now();

-- The collector's "is anything still using this blob?" lookups.
create index repository_blobs_by_digest on repository_blobs (digest);
create index manifest_references_by_repository_target on manifest_references (repository, digest);

-- Every collection, running or done, with what it deleted (or, for a dry run, would delete).
create table gc_runs (
    id           uuid primary key,
    dry_run      boolean not null,
    trigger      text not null check (trigger in ('api', 'schedule')),
    status       text not null check (status in ('running', 'succeeded', 'failed')),
    started_at   timestamptz not null default now(),
    finished_at  timestamptz,
    report       jsonb,
    error        text
);
create index gc_runs_newest on gc_runs (started_at desc);
