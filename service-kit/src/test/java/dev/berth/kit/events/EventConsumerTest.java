package dev.berth.kit.events;

import static dev.berth.kit.events.KafkaTestClient.header;
import static dev.berth.kit.events.KafkaTestClient.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.KafkaBroker;
import dev.berth.infra.KafkaExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The consumer library against a real broker: delivery, retries, dead letters, backpressure. */
@ExtendWith({VertxExtension.class, KafkaExtension.class})
class EventConsumerTest {

  private static final String SOURCE = "/berth/test";

  private final KafkaBroker broker;
  private final Vertx vertx;
  private final List<EventConsumer> consumers = new ArrayList<>();
  private KafkaTestClient kafka;
  private EventPublisher publisher;

  EventConsumerTest(KafkaBroker broker, Vertx vertx) {
    this.broker = broker;
    this.vertx = vertx;
  }

  @BeforeEach
  void clients() {
    kafka = new KafkaTestClient(broker);
    publisher = EventPublisher.create(vertx, broker.bootstrapServers());
  }

  @AfterEach
  void closeClients() throws Exception {
    for (EventConsumer consumer : consumers) {
      await(consumer.stop());
    }
    await(publisher.close());
    kafka.close();
  }

  @Test
  void deliversEveryCloudEventsAttributeThroughKafka() throws Exception {
    String topic = kafka.createTopic("round-trip", 1);
    Event pushed = Event.of(SOURCE, "dev.berth.manifest.pushed", "library/alpine",
        new JsonObject().put("digest", "sha256:0123").put("tag", "3.20"));
    List<Event> received = new CopyOnWriteArrayList<>();
    start(EventConsumer.builder(vertx, broker.bootstrapServers(), "round-trip-" + topic, topic)
        .handler(event -> {
          received.add(event);
          return Future.succeededFuture();
        }));

    long offset = await(publisher.publish(topic, pushed)).offset();

    waitFor("the event", () -> received.size() == 1);
    assertThat(received).containsExactly(pushed);
    assertThat(offset).isZero();
    ConsumerRecord<byte[], byte[]> raw = kafka.read(topic, 1).get(0);
    assertThat(new String(raw.key(), StandardCharsets.UTF_8)).isEqualTo("library/alpine");
    assertThat(new JsonObject(new String(raw.value(), StandardCharsets.UTF_8))).isEqualTo(pushed.data());
    assertThat(header(raw.headers(), "ce_specversion")).isEqualTo("1.0");
    assertThat(header(raw.headers(), "ce_id")).isEqualTo(pushed.id());
    assertThat(header(raw.headers(), "ce_source")).isEqualTo(SOURCE);
    assertThat(header(raw.headers(), "ce_type")).isEqualTo("dev.berth.manifest.pushed");
    assertThat(header(raw.headers(), "ce_subject")).isEqualTo("library/alpine");
    assertThat(header(raw.headers(), "ce_time")).isEqualTo(pushed.time().toString());
    assertThat(header(raw.headers(), "content-type")).isEqualTo("application/json");
  }

  @Test
  void retriesAFailingEventThenDeadLettersItAndTheKeyMovesOn() throws Exception {
    String topic = kafka.createTopic("poison", 1);
    String group = "poison-" + topic;
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    List<String> handled = new CopyOnWriteArrayList<>();
    Event first = event("app", 1);
    Event poison = event("app", 2);
    Event third = event("app", 3);
    Event fourth = event("app", 4);
    start(EventConsumer.builder(vertx, broker.bootstrapServers(), group, topic)
        .maxAttempts(3)
        .backoff(Duration.ofMillis(10), Duration.ofMillis(40))
        .handler(event -> {
          attempts.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
          if (event.id().equals(poison.id())) {
            throw new IllegalStateException("cannot scan sha256:bad");
          }
          handled.add(event.id());
          return Future.succeededFuture();
        }));

    for (Event event : List.of(first, poison, third, fourth)) {
      await(publisher.publish(topic, event));
    }

    waitFor("the events after the poison", () -> handled.size() == 3);
    assertThat(handled).containsExactly(first.id(), third.id(), fourth.id());
    assertThat(attempts.get(poison.id())).hasValue(3);
    ConsumerRecord<byte[], byte[]> dead = kafka.read(Topics.deadLetters(topic), 1).get(0);
    assertThat(header(dead.headers(), "ce_id")).isEqualTo(poison.id());
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("app");
    assertThat(EventCodec.decode(dead.headers(), dead.value())).isEqualTo(poison);
    assertThat(header(dead.headers(), DeadLetterHeaders.EXCEPTION_CLASS)).isEqualTo("java.lang.IllegalStateException");
    assertThat(header(dead.headers(), DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo("cannot scan sha256:bad");
    assertThat(header(dead.headers(), DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
    assertThat(header(dead.headers(), DeadLetterHeaders.ORIGINAL_PARTITION)).isEqualTo("0");
    assertThat(header(dead.headers(), DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo("1");
    assertThat(header(dead.headers(), DeadLetterHeaders.ATTEMPTS)).isEqualTo("3");
    assertThat(header(dead.headers(), DeadLetterHeaders.CONSUMER_GROUP)).isEqualTo(group);
    waitFor("the commit past all four", () -> committed(group) == 4);
  }

  @Test
  void aRecordThatIsNoEventGoesStraightToTheDeadLetters() throws Exception {
    String topic = kafka.createTopic("garbage", 1);
    List<Event> handled = new CopyOnWriteArrayList<>();
    start(EventConsumer.builder(vertx, broker.bootstrapServers(), "garbage-" + topic, topic)
        .handler(event -> {
          handled.add(event);
          return Future.succeededFuture();
        }));

    kafka.produce(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8),
        "not json".getBytes(StandardCharsets.UTF_8)));
    Event after = event("k", 1);
    await(publisher.publish(topic, after));

    waitFor("the valid event", () -> handled.size() == 1);
    assertThat(handled).containsExactly(after);
    ConsumerRecord<byte[], byte[]> dead = kafka.read(Topics.deadLetters(topic), 1).get(0);
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not json");
    assertThat(header(dead.headers(), DeadLetterHeaders.ATTEMPTS)).isEqualTo("0");
    assertThat(header(dead.headers(), DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("ce_specversion is missing");
  }

  @Test
  void pausesFetchingWhileTooMuchIsInFlight() throws Exception {
    String topic = kafka.createTopic("backpressure", 1);
    int maxInFlight = 4;
    List<Promise<Void>> running = new CopyOnWriteArrayList<>();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger mostUnfinished = new AtomicInteger();
    AtomicInteger unfinished = new AtomicInteger();
    start(EventConsumer.builder(vertx, broker.bootstrapServers(), "backpressure-" + topic, topic)
        .maxInFlight(maxInFlight)
        .handler(event -> {
          mostUnfinished.accumulateAndGet(unfinished.incrementAndGet(), Math::max);
          Promise<Void> promise = Promise.promise();
          running.add(promise);
          return promise.future().onComplete(r -> {
            unfinished.decrementAndGet();
            done.incrementAndGet();
          });
        }));
    for (int i = 0; i < 40; i++) {
      await(publisher.publish(topic, event("repo-" + i, i)));
    }

    waitFor("the first handlers", () -> running.size() >= maxInFlight);
    // Given time to overrun, the consumer still holds no more than one extra fetch.
    Thread.sleep(500);
    assertThat(running.size()).isLessThanOrEqualTo(2 * maxInFlight);

    // Completed from another context than the consumer's, as a real handler's client might.
    waitFor("all forty", () -> {
      List<Promise<Void>> snapshot = List.copyOf(running);
      vertx.runOnContext(v -> snapshot.forEach(Promise::tryComplete));
      return done.get() == 40;
    });
    assertThat(running).hasSize(40);
    assertThat(mostUnfinished.get()).isLessThanOrEqualTo(2 * maxInFlight);
  }

  private void start(EventConsumer.Builder builder) throws Exception {
    EventConsumer consumer = builder.build();
    consumers.add(consumer);
    await(consumer.start());
  }

  private long committed(String group) {
    try {
      return kafka.committedTotal(group);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Event event(String subject, int sequence) {
    return Event.of(SOURCE, "dev.berth.manifest.pushed", subject, new JsonObject().put("sequence", sequence));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
