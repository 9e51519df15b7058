-- Registry metadata. Blob bytes live in the blob store; everything a listing needs lives here,
-- so tags, catalog and referrers are index scans, never a storage walk.

create table repositories (
    name        text collate "C" primary key,
    created_at  timestamptz not null default now()
);

-- Every blob the store holds, once, whichever repositories link it.
create table blobs (
    digest      text primary key,
    size        bigint not null,
    created_at  timestamptz not null default now()
);

-- A repository may serve a blob only when it is linked here (pushed or mounted into it).
create table repository_blobs (
    repository  text collate "C" not null references repositories (name) on delete cascade,
    digest      text not null references blobs (digest),
    created_at  timestamptz not null default now(),
    primary key (repository, digest)
);

-- Manifests are stored byte-exact, with the Content-Type they were pushed with.
create table manifests (
    repository    text collate "C" not null references repositories (name) on delete cascade,
    digest        text not null,
    media_type    text not null,
    content_type  text not null,
    size          bigint not null,
    content       bytea not null,
    artifact_type text,
    subject       text,
    annotations   jsonb,
    created_at    timestamptz not null default now(),
    primary key (repository, digest)
);
create index manifests_by_subject on manifests (repository, subject) where subject is not null;

-- What a manifest points to (config, layers, index children): for garbage collection.
create table manifest_references (
    repository  text collate "C" not null,
    manifest    text not null,
    digest      text not null,
    kind        text not null check (kind in ('blob', 'manifest')),
    primary key (repository, manifest, digest),
    foreign key (repository, manifest) references manifests (repository, digest) on delete cascade
);
create index manifest_references_by_target on manifest_references (digest);

create table tags (
    repository  text collate "C" not null,
    name        text collate "C" not null,
    digest      text not null,
    updated_at  timestamptz not null default now(),
    primary key (repository, name),
    foreign key (repository, digest) references manifests (repository, digest) on delete cascade
);
create index tags_by_manifest on tags (repository, digest);

-- Upload sessions live here so any registry instance can continue one, also after a restart.
create table uploads (
    id          uuid primary key,
    repository  text collate "C" not null,
    size        bigint not null default 0,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
