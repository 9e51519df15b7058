package dev.berth.kit.events;

import static dev.berth.kit.events.EventConsumerTest.await;
import static dev.berth.kit.events.EventConsumerTest.event;
import static dev.berth.kit.events.KafkaTestClient.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.KafkaBroker;
import dev.berth.infra.KafkaExtension;
import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.kit.Database;
import dev.berth.kit.DatabaseConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Effectively-once processing: the inbox in real PostgreSQL, redeliveries from a real broker. */
@ExtendWith({VertxExtension.class, KafkaExtension.class, PostgresExtension.class})
class EventInboxTest {

  private final KafkaBroker broker;
  private final PostgresDatabase db;
  private final Vertx vertx;
  private KafkaTestClient kafka;
  private EventPublisher publisher;
  private Pool pool;
  private Inbox inbox;
  private final List<EventConsumer> running = new ArrayList<>();

  EventInboxTest(KafkaBroker broker, PostgresDatabase db, Vertx vertx) {
    this.broker = broker;
    this.db = db;
    this.vertx = vertx;
  }

  @BeforeEach
  void setUp() throws Exception {
    kafka = new KafkaTestClient(broker);
    publisher = EventPublisher.create(vertx, broker.bootstrapServers());
    pool = Database.pool(vertx, new DatabaseConfig(db.host(), db.port(), db.database(), db.user(), db.password(), 4));
    inbox = new Inbox(pool);
    sql("CREATE TABLE IF NOT EXISTS effect (seq bigserial PRIMARY KEY, consumer text, event_id text,"
        + " subject text, sequence int)");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (EventConsumer consumer : running) {
      await(consumer.stop());
    }
    await(publisher.close());
    await(pool.close());
    kafka.close();
  }

  @Test
  void aRedeliveredEventHasOneEffect() throws Exception {
    String topic = kafka.createTopic("redelivery", 1);
    String group = "redelivery-" + topic;
    AtomicInteger calls = new AtomicInteger();
    Event twice = event("library/nginx", 1);
    Event once = event("library/nginx", 2);

    EventConsumer first = consumer(group, topic, calls);
    await(first.start());
    await(publisher.publish(topic, twice));
    await(publisher.publish(topic, twice));
    await(publisher.publish(topic, once));
    waitFor("all three records committed", () -> committed(group) == 3);
    await(first.stop());

    // An operator rewinds the group: every record arrives again.
    kafka.rewind(group, topic, 1);
    EventConsumer second = consumer(group, topic, calls);
    await(second.start());
    waitFor("the replay committed", () -> committed(group) == 3 && count("SELECT count(*) FROM effect WHERE consumer = '"
        + group + "'") == 2);

    assertThat(count("SELECT count(*) FROM effect WHERE event_id = '" + twice.id() + "'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM effect WHERE event_id = '" + once.id() + "'")).isEqualTo(1);
    assertThat(calls).hasValue(2);
    assertThat(await(inbox.contains(group, twice))).isTrue();
  }

  @Test
  void aConsumerRestartedMidStreamLosesNothingAndRepeatsNothing() throws Exception {
    String topic = kafka.createTopic("restart", 3);
    String group = "restart-" + topic;
    int total = 150;
    AtomicInteger calls = new AtomicInteger();
    List<Future<?>> published = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      published.add(publisher.publish(topic, event("repo-" + (i % 10), i)));
    }
    await(Future.all(published));

    EventConsumer first = consumer(group, topic, calls);
    await(first.start());
    waitFor("a third of the events", () -> count("SELECT count(*) FROM effect WHERE consumer = '" + group + "'") >= 50);
    await(first.stop());
    long beforeRestart = count("SELECT count(*) FROM effect WHERE consumer = '" + group + "'");

    EventConsumer second = consumer(group, topic, calls);
    await(second.start());
    waitFor("every event", () -> count("SELECT count(*) FROM effect WHERE consumer = '" + group + "'") >= total
        && committed(group) == total);

    assertThat(beforeRestart).isLessThan(total);
    assertThat(count("SELECT count(*) FROM effect WHERE consumer = '" + group + "'")).isEqualTo(total);
    assertThat(count("SELECT count(DISTINCT event_id) FROM effect WHERE consumer = '" + group + "'")).isEqualTo(total);
    // Each repository's events took effect in the order they were published, across the restart.
    Map<String, List<Integer>> perSubject = new HashMap<>();
    query("SELECT subject, sequence FROM effect WHERE consumer = '" + group + "' ORDER BY seq", rows -> {
      while (rows.next()) {
        perSubject.computeIfAbsent(rows.getString(1), s -> new ArrayList<>()).add(rows.getInt(2));
      }
    });
    assertThat(perSubject).hasSize(10);
    perSubject.values().forEach(sequences -> assertThat(sequences).isSorted());
  }

  @Test
  void twoMembersOfAGroupShareTheEventsWithoutDoingAnyTwice() throws Exception {
    String topic = kafka.createTopic("members", 4);
    String group = "members-" + topic;
    int total = 120;
    AtomicInteger calls = new AtomicInteger();
    await(consumer(group, topic, calls).start());
    List<Future<?>> published = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      published.add(publisher.publish(topic, event("repo-" + (i % 12), i)));
    }
    await(Future.all(published));
    // The second member joins while the first is busy: partitions move between them.
    waitFor("some events", () -> count("SELECT count(*) FROM effect WHERE consumer = '" + group + "'") >= 10);
    await(consumer(group, topic, calls).start());

    waitFor("every event", () -> count("SELECT count(*) FROM effect WHERE consumer = '" + group + "'") >= total
        && committed(group) == total);
    assertThat(count("SELECT count(*) FROM effect WHERE consumer = '" + group + "'")).isEqualTo(total);
    assertThat(count("SELECT count(DISTINCT event_id) FROM effect WHERE consumer = '" + group + "'")).isEqualTo(total);
  }

  @Test
  void publishingAndConsumingCarryOnThroughABrokerRestart() throws Exception {
    String topic = kafka.createTopic("outage", 2);
    String group = "outage-" + topic;
    AtomicInteger calls = new AtomicInteger();
    EventConsumer consumer = consumer(group, topic, calls);
    await(consumer.start());
    for (int i = 0; i < 10; i++) {
      await(publisher.publish(topic, event("repo-" + (i % 3), i)));
    }
    waitFor("the events before the outage", () -> count("SELECT count(*) FROM effect WHERE consumer = '"
        + group + "'") == 10);

    broker.stop();
    List<Future<?>> duringOutage = new ArrayList<>();
    for (int i = 10; i < 20; i++) {
      duringOutage.add(publisher.publish(topic, event("repo-" + (i % 3), i)));
    }
    broker.restart();
    await(Future.all(duringOutage));

    waitFor("every event", () -> count("SELECT count(*) FROM effect WHERE consumer = '" + group + "'") >= 20
        && committed(group) == 20);
    assertThat(count("SELECT count(DISTINCT event_id) FROM effect WHERE consumer = '" + group + "'")).isEqualTo(20);
    assertThat(count("SELECT count(*) FROM effect WHERE consumer = '" + group + "'")).isEqualTo(20);
  }

  @Test
  void purgesOldEntries() throws Exception {
    await(inbox.createTable());
    Event old = event("a", 1);
    await(pool.withTransaction(tx -> inbox.claim(tx, "purge", old)));
    assertThat(await(inbox.purgeProcessedBefore(Instant.now().minus(Duration.ofHours(1))))).isZero();
    assertThat(await(inbox.purgeProcessedBefore(Instant.now().plus(Duration.ofMinutes(1))))).isGreaterThanOrEqualTo(1);
    assertThat(await(inbox.contains("purge", old))).isFalse();
  }

  /** Writes its effect in the inbox's transaction, a little slowly so a stop finds work running. */
  private EventConsumer consumer(String group, String topic, AtomicInteger calls) {
    EventConsumer consumer = EventConsumer.builder(vertx, broker.bootstrapServers(), group, topic)
        .maxInFlight(16)
        .transactionalHandler(inbox, (event, tx) -> {
          calls.incrementAndGet();
          return pause(5).compose(v -> record(tx, group, event));
        })
        .build();
    running.add(consumer);
    return consumer;
  }

  private Future<Void> pause(long millis) {
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(millis, id -> promise.complete());
    return promise.future();
  }

  private static Future<Void> record(SqlConnection tx, String group, Event event) {
    return tx.preparedQuery("INSERT INTO effect (consumer, event_id, subject, sequence) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(group, event.id(), event.subject(), event.data().getInteger("sequence")))
        .mapEmpty();
  }

  private long committed(String group) {
    try {
      return kafka.committedTotal(group);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private interface RowReader {
    void read(ResultSet rows) throws SQLException;
  }

  private void query(String sql, RowReader reader) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      reader.read(rows);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private long count(String sql) {
    long[] result = new long[1];
    query(sql, rows -> {
      rows.next();
      result[0] = rows.getLong(1);
    });
    return result[0];
  }

  private void sql(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
