-- Transactional outbox: every event is written in the same transaction as the change it reports,
-- and a relay publishes rows to Kafka afterwards. Nothing committed is lost; nothing rolled back is told.
create table outbox (
    id            bigserial primary key,
    event_id      uuid not null unique,
    type          text not null,
    subject       text not null,
    time          timestamptz not null,
    data          jsonb not null,
    published_at  timestamptz
);
create index outbox_unpublished on outbox (id) where published_at is null;
