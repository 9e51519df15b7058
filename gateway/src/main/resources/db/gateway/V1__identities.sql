-- Users, namespaces (the first component of a repository name), their members and robot accounts.
create table users (
    id            bigserial primary key,
    name          text        not null unique,
    password_hash text        not null,
    system_admin  boolean     not null default false,
    created_at    timestamptz not null default now()
);

create table namespaces (
    id         bigserial primary key,
    name       text        not null unique,
    public     boolean     not null default false,
    created_at timestamptz not null default now()
);

create table members (
    namespace_id bigint not null references namespaces (id) on delete cascade,
    user_id      bigint not null references users (id) on delete cascade,
    role         text   not null check (role in ('admin', 'maintainer', 'developer', 'guest')),
    primary key (namespace_id, user_id)
);
create index members_by_user on members (user_id);

-- A robot lives in one namespace and may act only there; its full name is robot$<namespace>+<name>.
create table robots (
    id           bigserial primary key,
    namespace_id bigint      not null references namespaces (id) on delete cascade,
    name         text        not null,
    secret_hash  text        not null,
    actions      text[]      not null,
    expires_at   timestamptz,
    created_at   timestamptz not null default now(),
    unique (namespace_id, name)
);
