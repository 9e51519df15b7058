package dev.berth.registry.webhooks;

import dev.berth.kit.events.Event;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The deliveries table as the dispatcher fills it and delivery workers drain it. */
final class DeliveryQueue {

    /** A delivery a worker has leased for one attempt. */
    record Claimed(long id, UUID webhookId, String eventId, String body, int attempts, String targetUrl, String secret) {
    }

    /** What one attempt observed: a status code, or an error when no response came. */
    record Outcome(OffsetDateTime at, Integer statusCode, String retryAfter, String error, long latencyMs) {
        boolean succeeded() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    private final Pool pool;

    DeliveryQueue(Pool pool) {
        this.pool = pool;
    }

    /** The structured-mode CloudEvent a target receives. */
    static String body(Event event) {
        return new JsonObject()
                .put("specversion", Event.SPEC_VERSION)
                .put("id", event.id())
                .put("source", event.source())
                .put("type", event.type())
                .put("subject", event.subject())
                .put("time", event.time() == null ? null : event.time().toString())
                .put("datacontenttype", event.dataContentType())
                .put("data", event.data())
                .encode();
    }

    /** A pending delivery for every enabled subscription that wants {@code event}; inside the caller's transaction. */
    static Future<Integer> enqueue(SqlClient tx, Event event) {
        return tx.preparedQuery("select id, repository_glob from webhooks where enabled and $1 = any(event_types)")
                .execute(Tuple.of(event.type()))
                .compose(rows -> {
                    List<UUID> targets = new ArrayList<>();
                    rows.forEach(row -> {
                        if (RepositoryGlob.parse(row.getString("repository_glob")).matches(event.subject())) {
                            targets.add(row.getUUID("id"));
                        }
                    });
                    if (targets.isEmpty()) {
                        return Future.succeededFuture(0);
                    }
                    return tx.preparedQuery("insert into webhook_deliveries (webhook_id, event_id, event_type, subject, body, status)"
                                    + " select unnest($1::uuid[]), $2, $3, $4, $5, 'pending'")
                            .execute(Tuple.of(targets.toArray(new UUID[0]), event.id(), event.type(), event.subject(), body(event)))
                            .map(done -> targets.size());
                });
    }

    /**
     * Leases up to {@code limit} due deliveries for {@code lease}: they count one more attempt and are
     * not due again until the lease ends, so a worker that dies mid-attempt leaves them to another.
     * {@code skip locked} lets several replicas claim side by side without waiting on each other.
     */
    Future<List<Claimed>> claimDue(int limit, Duration lease) {
        return pool.preparedQuery("update webhook_deliveries d set attempt_count = d.attempt_count + 1,"
                        + " next_attempt_at = now() + make_interval(secs => $2) from webhooks w"
                        + " where w.id = d.webhook_id and d.id in (select dd.id from webhook_deliveries dd"
                        + " join webhooks ww on ww.id = dd.webhook_id where dd.status = 'pending' and ww.enabled"
                        + " and dd.next_attempt_at <= now() order by dd.next_attempt_at limit $1 for update of dd skip locked)"
                        + " returning d.id, d.webhook_id, d.event_id, d.body, d.attempt_count, w.target_url, w.secret")
                .execute(Tuple.of(limit, lease.toMillis() / 1000.0))
                .map(rows -> {
                    List<Claimed> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Claimed(r.getLong("id"), r.getUUID("webhook_id"), r.getString("event_id"),
                            r.getString("body"), r.getInteger("attempt_count"), r.getString("target_url"), r.getString("secret"))));
                    return out;
                });
    }

    /**
     * Records an attempt and decides what follows, in one transaction: success ends the delivery and the
     * subscription's failure run; 410 disables the subscription; any other failure schedules a retry
     * (Retry-After on 429/503) or gives up, and disables a subscription failing for longer than allowed.
     */
    Future<Void> record(Claimed d, Outcome o, RetryPolicy policy, Duration disableAfter) {
        return pool.withTransaction(tx -> tx.preparedQuery("insert into webhook_attempts (delivery_id, attempted_at,"
                        + " status_code, latency_ms, error) values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(d.id(), o.at(), o.statusCode(), o.latencyMs(), o.error()))
                .compose(v -> {
                    if (o.succeeded()) {
                        return finish(tx, d, "succeeded")
                                .compose(x -> tx.preparedQuery("update webhooks set failing_since = null where id = $1")
                                        .execute(Tuple.of(d.webhookId())).mapEmpty());
                    }
                    if (o.statusCode() != null && o.statusCode() == 410) {
                        return finish(tx, d, "failed").compose(x -> disable(tx, d.webhookId(),
                                "the target answered 410 Gone at " + o.at().toInstant() + "; it asked for no more deliveries"));
                    }
                    return tx.preparedQuery("update webhooks set failing_since = coalesce(failing_since, $2) where id = $1"
                                    + " returning failing_since")
                            .execute(Tuple.of(d.webhookId(), o.at()))
                            .compose(rows -> {
                                OffsetDateTime since = rows.iterator().next().getOffsetDateTime("failing_since");
                                if (Duration.between(since, o.at()).compareTo(disableAfter) > 0) {
                                    return finish(tx, d, "failed").compose(x -> disable(tx, d.webhookId(),
                                            "deliveries have failed continuously since " + since.toInstant()
                                                    + " (longer than " + disableAfter + "); last failure: " + describe(o)));
                                }
                                boolean honoursRetryAfter = o.statusCode() != null
                                        && (o.statusCode() == 429 || o.statusCode() == 503);
                                Duration wait = honoursRetryAfter ? policy.retryAfter(o.retryAfter(), o.at().toInstant()) : null;
                                if (wait == null) {
                                    wait = policy.afterFailure(d.attempts());
                                } else if (d.attempts() > policy.scheduleLength()) {
                                    wait = null;
                                }
                                if (wait == null) {
                                    return finish(tx, d, "failed");
                                }
                                return tx.preparedQuery("update webhook_deliveries set next_attempt_at = $2 where id = $1")
                                        .execute(Tuple.of(d.id(), o.at().plus(wait))).mapEmpty();
                            });
                }));
    }

    static String describe(Outcome o) {
        return o.statusCode() != null ? "HTTP " + o.statusCode() : o.error();
    }

    private static Future<Void> finish(SqlClient tx, Claimed d, String status) {
        return tx.preparedQuery("update webhook_deliveries set status = $2 where id = $1")
                .execute(Tuple.of(d.id(), status)).mapEmpty();
    }

    /** Disables the subscription and abandons its pending deliveries: nobody would receive them. */
    private static Future<Void> disable(SqlClient tx, UUID webhookId, String reason) {
        return tx.preparedQuery("update webhooks set enabled = false, disabled_reason = $2, updated_at = now()"
                        + " where id = $1").execute(Tuple.of(webhookId, reason))
                .compose(v -> tx.preparedQuery("update webhook_deliveries set status = 'abandoned'"
                        + " where webhook_id = $1 and status = 'pending'").execute(Tuple.of(webhookId)))
                .mapEmpty();
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
