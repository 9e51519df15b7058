package dev.berth.kit.events;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes events to Kafka in CloudEvents binary mode, keyed by subject (the repository), so
 * the events of one repository keep their order. The producer is idempotent with
 * {@code acks=all}: a publish that succeeded is durable, and internal retries add no duplicates.
 * While the broker is unreachable a publish waits (up to Kafka's {@code delivery.timeout.ms},
 * two minutes by default) instead of failing at once.
 */
public final class EventPublisher {

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final KafkaSender sender;

  private EventPublisher(KafkaSender sender) {
    this.sender = sender;
  }

  public static EventPublisher create(Vertx vertx, String bootstrapServers) {
    return create(vertx, bootstrapServers, Map.of());
  }

  /** {@code kafkaOverrides} are Kafka producer settings ({@code ProducerConfig}) that win over ours. */
  public static EventPublisher create(Vertx vertx, String bootstrapServers, Map<String, Object> kafkaOverrides) {
    String name = "berth-events-" + COUNTER.incrementAndGet();
    return new EventPublisher(new KafkaSender(vertx, bootstrapServers, name, kafkaOverrides));
  }

  /** Completes on the caller's context once the broker has the event on all in-sync replicas. */
  public Future<RecordMetadata> publish(String topic, Event event) {
    return sender.send(EventCodec.toRecord(topic, event));
  }

  /** Delivers what is still queued (up to 30 s), then releases the producer. */
  public Future<Void> close() {
    return sender.close(Duration.ofSeconds(30));
  }
}
