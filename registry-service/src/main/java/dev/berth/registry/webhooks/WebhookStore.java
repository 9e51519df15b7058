package dev.berth.registry.webhooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Subscriptions and the delivery history, as the REST API reads and writes them. */
final class WebhookStore {

    private final Pool pool;

    WebhookStore(Pool pool) {
        this.pool = pool;
    }

    Future<Subscription> create(SubscriptionInput in) {
        String secret = in.secret() == null ? WebhookSecret.generate() : in.secret();
        return pool.preparedQuery("insert into webhooks (id, target_url, event_types, repository_glob, secret, enabled)"
                        + " values ($1, $2, $3, $4, $5, $6) returning " + Subscription.COLUMNS)
                .execute(Tuple.of(UUID.randomUUID(), in.targetUrl().toString(), in.eventTypes().toArray(new String[0]),
                        in.repositoryGlob().text(), secret, in.enabled()))
                .map(rows -> Subscription.from(rows.iterator().next()));
    }

    Future<List<Subscription>> list() {
        return pool.query("select " + Subscription.COLUMNS + " from webhooks order by created_at, id").execute()
                .map(rows -> {
                    List<Subscription> out = new ArrayList<>();
                    rows.forEach(row -> out.add(Subscription.from(row)));
                    return out;
                });
    }

    /** The subscription, or null. */
    Future<Subscription> get(UUID id) {
        return pool.preparedQuery("select " + Subscription.COLUMNS + " from webhooks where id = $1")
                .execute(Tuple.of(id)).map(WebhookStore::firstOrNull);
    }

    /**
     * Replaces the writable fields; null when there is no such subscription. Enabling clears the
     * reason and the failure run (a client re-enables after fixing the target); disabling says who did it.
     */
    Future<Subscription> replace(UUID id, SubscriptionInput in) {
        return pool.preparedQuery("update webhooks set target_url = $2, event_types = $3, repository_glob = $4,"
                        + " secret = coalesce($5, secret), enabled = $6,"
                        + " disabled_reason = case when $6 then null when enabled then 'disabled through the API'"
                        + " else disabled_reason end,"
                        + " failing_since = case when $6 and not enabled then null else failing_since end,"
                        + " updated_at = now() where id = $1 returning " + Subscription.COLUMNS)
                .execute(Tuple.of(id, in.targetUrl().toString(), in.eventTypes().toArray(new String[0]),
                        in.repositoryGlob().text(), in.secret(), in.enabled()))
                .map(WebhookStore::firstOrNull);
    }

    Future<Boolean> delete(UUID id) {
        return pool.preparedQuery("delete from webhooks where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 1);
    }

    /** One page of deliveries, newest first, each with its attempts in order. */
    Future<JsonArray> deliveries(UUID webhookId, long before, int limit) {
        return pool.preparedQuery("select id, event_id, event_type, subject, status, attempt_count, next_attempt_at,"
                        + " created_at from webhook_deliveries where webhook_id = $1 and id < $2 order by id desc limit $3")
                .execute(Tuple.of(webhookId, before, limit))
                .compose(rows -> {
                    Map<Long, JsonObject> byId = new LinkedHashMap<>();
                    rows.forEach(row -> byId.put(row.getLong("id"), delivery(row)));
                    if (byId.isEmpty()) {
                        return Future.succeededFuture(new JsonArray());
                    }
                    return pool.preparedQuery("select delivery_id, attempted_at, status_code, latency_ms, error"
                                    + " from webhook_attempts where delivery_id = any($1) order by id")
                            .execute(Tuple.of(byId.keySet().toArray(new Long[0])))
                            .map(attempts -> {
                                attempts.forEach(a -> byId.get(a.getLong("delivery_id")).getJsonArray("attempts")
                                        .add(new JsonObject()
                                                .put("at", a.getOffsetDateTime("attempted_at").toInstant().toString())
                                                .put("statusCode", a.getInteger("status_code"))
                                                .put("latencyMs", a.getLong("latency_ms"))
                                                .put("error", a.getString("error"))));
                                return new JsonArray(new ArrayList<>(byId.values()));
                            });
                });
    }

    /**
     * A new pending delivery of the same event and body (so the same webhook-id) to the same
     * subscription; null when the subscription has no such delivery.
     */
    Future<JsonObject> redeliver(UUID webhookId, long deliveryId) {
        return pool.preparedQuery("insert into webhook_deliveries (webhook_id, event_id, event_type, subject, body, status)"
                        + " select webhook_id, event_id, event_type, subject, body, 'pending' from webhook_deliveries"
                        + " where webhook_id = $1 and id = $2"
                        + " returning id, event_id, event_type, subject, status, attempt_count, next_attempt_at, created_at")
                .execute(Tuple.of(webhookId, deliveryId))
                .map(rows -> rows.size() == 0 ? null : delivery(rows.iterator().next()));
    }

    private static JsonObject delivery(Row row) {
        String status = row.getString("status");
        OffsetDateTime next = row.getOffsetDateTime("next_attempt_at");
        return new JsonObject()
                .put("id", String.valueOf(row.getLong("id")))
                .put("eventId", row.getString("event_id"))
                .put("eventType", row.getString("event_type"))
                .put("subject", row.getString("subject"))
                .put("status", status)
                .put("attemptCount", row.getInteger("attempt_count"))
                .put("nextAttemptAt", status.equals("pending") ? next.toInstant().toString() : null)
                .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
                .put("attempts", new JsonArray());
    }

    private static Subscription firstOrNull(RowSet<Row> rows) {
        return rows.size() == 0 ? null : Subscription.from(rows.iterator().next());
    }
}
