package dev.berth.registry.meta;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Writes registry events into the outbox table, inside the caller's transaction. */
public final class Outbox {

    public static final String SOURCE = "/berth/registry";
    public static final String IMAGE_PUSHED = "dev.berth.image.pushed";
    public static final String IMAGE_DELETED = "dev.berth.image.deleted";
    public static final String TAG_DELETED = "dev.berth.tag.deleted";
    public static final String REPOSITORY_CREATED = "dev.berth.repository.created";

    private Outbox() {
    }

    /** Adds one event about {@code repository}; {@code data} gets the origin's actor and request id. */
    static Future<Void> add(SqlClient tx, String type, String repository, JsonObject data, Origin origin) {
        JsonObject full = data.copy().put("repository", repository)
                .put("actor", origin.actor()).put("requestId", origin.requestId());
        return tx.preparedQuery("insert into outbox (event_id, type, subject, time, data) values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(UUID.randomUUID(), type, repository,
                        OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS), full))
                .mapEmpty();
    }
}
