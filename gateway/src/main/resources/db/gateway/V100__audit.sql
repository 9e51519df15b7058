-- The gateway's audit log (dev.berth.gateway.audit). Versions 100 and up belong to the audit log,
-- so they never collide with the gateway's other migrations (V1..V99) in the same location.
create table gateway_audit (
    id          bigserial   primary key,
    at          timestamptz not null,
    actor       text,                 -- Caller.subject; null when anonymous
    actor_kind  text        not null, -- user, robot, anonymous
    action      text        not null, -- push, pull, delete, login, login_failed, admin
    target      text        not null, -- manifest, blob, token, api
    repository  text,
    reference   text,                 -- tag or digest as the client named it
    digest      text,
    client_ip   text        not null,
    status      integer     not null, -- HTTP status answered; 0 when the client left before one was sent
    detail      text,
    request_id  text
);

-- Queries page by id (newest first) within optional filters.
create index gateway_audit_at on gateway_audit (at);
create index gateway_audit_actor on gateway_audit (actor, id);
create index gateway_audit_repository on gateway_audit (repository, id);
create index gateway_audit_action on gateway_audit (action, id);
