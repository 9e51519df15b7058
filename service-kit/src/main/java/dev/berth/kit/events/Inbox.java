package dev.berth.kit.events;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * The record of which events a consumer group has processed, in PostgreSQL, so that an event
 * Kafka delivers again (a rebalance, a crash before the offset commit, a rewind) has no second
 * effect.
 *
 * <p>The contract: {@link EventConsumer} opens a transaction, {@linkplain #claim claims} the
 * event's (source, id) for its group with {@code INSERT ... ON CONFLICT DO NOTHING}, runs the
 * handler only when the claim inserted a row, and commits. A handler's own writes made through
 * the {@code SqlConnection} it is given belong to that same transaction, so they happen exactly
 * once: either together with the claim or not at all. Anything else a handler does (an HTTP call,
 * a write elsewhere) is only at least once: it is skipped for an event already claimed, but it
 * runs again when it succeeded and the commit then failed.
 *
 * <p>The table: {@value #TABLE}, created by {@link #createTable()} (the consumer calls it on
 * start; a service may as well create it in its own migrations with the same DDL). Rows are
 * small; {@link #purgeProcessedBefore} drops those older than any redelivery can be.
 */
public final class Inbox {

  public static final String TABLE = "berth_event_inbox";

  static final String DDL = "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
      + " consumer_group text NOT NULL,"
      + " source text NOT NULL,"
      + " event_id text NOT NULL,"
      + " processed_at timestamptz NOT NULL DEFAULT now(),"
      + " PRIMARY KEY (consumer_group, source, event_id))";
  private static final String INDEX = "CREATE INDEX IF NOT EXISTS " + TABLE + "_processed_at"
      + " ON " + TABLE + " (processed_at)";
  // Two services creating the table at the same moment: one wins, the other sees one of these.
  private static final Set<String> ALREADY_CREATED = Set.of("23505", "42P07");

  private final Pool pool;

  public Inbox(Pool pool) {
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  /** Creates the inbox table and its index when missing. */
  public Future<Void> createTable() {
    return pool.query(DDL).execute()
        .compose(rows -> pool.query(INDEX).execute())
        .<Void>mapEmpty()
        .recover(error -> error instanceof PgException pg && ALREADY_CREATED.contains(pg.getSqlState())
            ? Future.succeededFuture() : Future.failedFuture(error));
  }

  /**
   * Records that {@code consumerGroup} processes {@code event}; true when this is the first time.
   * Run it in the transaction that makes the event's effect: a concurrent claim of the same event
   * waits for that transaction and then sees the row, or takes over if it rolled back.
   */
  public Future<Boolean> claim(SqlClient transaction, String consumerGroup, Event event) {
    return transaction
        .preparedQuery("INSERT INTO " + TABLE + " (consumer_group, source, event_id) VALUES ($1, $2, $3)"
            + " ON CONFLICT DO NOTHING")
        .execute(Tuple.of(consumerGroup, event.source(), event.id()))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Whether {@code consumerGroup} has processed {@code event}. */
  public Future<Boolean> contains(String consumerGroup, Event event) {
    return pool
        .preparedQuery("SELECT 1 FROM " + TABLE + " WHERE consumer_group = $1 AND source = $2 AND event_id = $3")
        .execute(Tuple.of(consumerGroup, event.source(), event.id()))
        .map(rows -> rows.size() == 1);
  }

  /** Deletes entries processed before {@code cutoff}; returns how many. */
  public Future<Integer> purgeProcessedBefore(Instant cutoff) {
    return pool.preparedQuery("DELETE FROM " + TABLE + " WHERE processed_at < $1")
        .execute(Tuple.of(OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC)))
        .map(rows -> rows.rowCount());
  }
}
