package dev.berth.gateway.audit;

import dev.berth.gateway.Caller;
import dev.berth.kit.ErrorBody;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/audit}, served by the gateway itself from its database (see
 * {@link AuditQuery} for the parameters). Answers {@code {"entries":[...],"next":"<cursor>"}},
 * {@code next} only when more entries match. Who may read is decided by {@code readers}, given the
 * request's {@link Caller}.
 */
public final class AuditApi implements Handler<RoutingContext> {

    /** Everybody: what the gateway uses until authentication decides who is an administrator. */
    public static final Predicate<Caller> ANYONE = caller -> true;

    private static final Logger LOG = LoggerFactory.getLogger(AuditApi.class);
    private static final String COLUMNS = "id, at, actor, actor_kind, action, target, repository, reference, digest,"
            + " client_ip, status, detail, request_id";

    private final AuditLog log;
    private final Predicate<Caller> readers;

    public AuditApi(AuditLog log, Predicate<Caller> readers) {
        this.log = log;
        this.readers = readers;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (!log.enabled()) {
            ErrorBody.send(ctx.response(), 404, "audit_disabled",
                    "the audit log is off: the gateway has no database (gateway.database.*)");
            return;
        }
        if (!readers.test(Caller.of(ctx))) {
            ErrorBody.send(ctx.response(), 403, "forbidden", "reading the audit log needs an administrator");
            return;
        }
        AuditQuery query;
        try {
            query = AuditQuery.parse(ctx.queryParams());
        } catch (AuditQuery.InvalidQuery e) {
            ErrorBody.send(ctx.response(), 400, "invalid_parameter", e.getMessage());
            return;
        }
        List<String> where = new ArrayList<>();
        Tuple args = Tuple.tuple();
        condition(where, args, "actor = $", query.actor());
        condition(where, args, "repository = $", query.repository());
        condition(where, args, "action = $", query.action());
        condition(where, args, "at >= $", query.since() == null ? null : query.since().atOffset(ZoneOffset.UTC));
        condition(where, args, "at < $", query.until() == null ? null : query.until().atOffset(ZoneOffset.UTC));
        condition(where, args, "id < $", query.beforeId());
        args.addInteger(query.limit() + 1);
        String sql = "select " + COLUMNS + " from gateway_audit"
                + (where.isEmpty() ? "" : " where " + String.join(" and ", where))
                + " order by id desc limit $" + args.size();
        log.pool().preparedQuery(sql).execute(args).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("audit query failed: {}", ar.cause().toString());
                ErrorBody.send(ctx.response(), 503, "unavailable", "the audit log could not be read; see the gateway log");
                return;
            }
            ctx.response().putHeader("Content-Type", "application/json").end(page(ar.result(), query.limit()).encode());
        });
    }

    private static void condition(List<String> where, Tuple args, String sql, Object value) {
        if (value != null) {
            args.addValue(value);
            where.add(sql + args.size());
        }
    }

    private static JsonObject page(RowSet<Row> rows, int limit) {
        JsonArray entries = new JsonArray();
        long lastId = 0;
        int n = 0;
        boolean more = false;
        for (Row row : rows) {
            if (n == limit) {
                more = true;
                break;
            }
            lastId = row.getLong("id");
            entries.add(new JsonObject()
                    .put("id", lastId)
                    .put("time", row.getOffsetDateTime("at").toInstant().toString())
                    .put("actor", new JsonObject().put("subject", row.getString("actor"))
                            .put("kind", row.getString("actor_kind")))
                    .put("action", row.getString("action"))
                    .put("target", row.getString("target"))
                    .put("repository", row.getString("repository"))
                    .put("reference", row.getString("reference"))
                    .put("digest", row.getString("digest"))
                    .put("clientIp", row.getString("client_ip"))
                    .put("status", row.getInteger("status"))
                    .put("detail", row.getString("detail"))
                    .put("requestId", row.getString("request_id")));
            n++;
        }
        JsonObject page = new JsonObject().put("entries", entries);
        if (more) {
            page.put("next", AuditQuery.cursorAfter(lastId));
        }
        return page;
    }
}
