-- Webhook subscriptions, their deliveries (one per event and subscription) and every attempt.
create table webhooks (
    id               uuid primary key,
    target_url       text not null,
    event_types      text[] not null,
    repository_glob  text not null,
    -- Kept readable: every delivery signs with it (HMAC needs the key itself).
    secret           text not null,
    enabled          boolean not null default true,
    disabled_reason  text,
    -- Start of the current unbroken run of failed attempts; null once one succeeds.
    failing_since    timestamptz,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

create table webhook_deliveries (
    id               bigserial primary key,
    webhook_id       uuid not null references webhooks (id) on delete cascade,
    event_id         text not null,
    event_type       text not null,
    subject          text,
    -- The exact body sent (a structured CloudEvent), so every retry signs the same bytes.
    body             text not null,
    status           text not null check (status in ('pending', 'succeeded', 'failed', 'abandoned')),
    attempt_count    integer not null default 0,
    next_attempt_at  timestamptz not null default now(),
    created_at       timestamptz not null default now()
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_by_webhook on webhook_deliveries (webhook_id, id desc);

create table webhook_attempts (
    id               bigserial primary key,
    delivery_id      bigint not null references webhook_deliveries (id) on delete cascade,
    attempted_at     timestamptz not null,
    status_code      integer,
    latency_ms       bigint not null,
    error            text
);
create index webhook_attempts_by_delivery on webhook_attempts (delivery_id, id);
