package dev.berth.kit.events;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A Kafka producer behind a Future API. {@code KafkaProducer.send} blocks while it waits for
 * topic metadata (a broker that is down, a new topic) or for buffer space, so it is called on a
 * thread of its own, never on an event loop; that one thread also keeps the caller's order.
 */
final class KafkaSender {

  private final Vertx vertx;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ExecutorService sendThread;

  KafkaSender(Vertx vertx, String bootstrapServers, String name, Map<String, Object> overrides) {
    this.vertx = vertx;
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // Idempotence with acks=all: a record the broker acknowledged is on every in-sync replica,
    // and the producer's own retries neither duplicate nor reorder it within a partition.
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    // One request in flight per broker. With more, a partition whose leader is not ready yet
    // (just created, just moved) can reject the first batch while it accepts the next, since a
    // broker takes any sequence number from a producer it does not know yet; the retried first
    // batch is then out of order forever. Events are small and linger batches them, so one
    // request at a time costs little.
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, name);
    config.putAll(overrides);
    this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    this.sendThread = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "berth-kafka-send-" + name);
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Completes on the caller's context once the broker acknowledged the record. */
  Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    Context context = vertx.getOrCreateContext();
    Promise<RecordMetadata> promise = Promise.promise();
    try {
      sendThread.execute(() -> {
        try {
          producer.send(record, (metadata, error) -> context.runOnContext(v -> {
            if (error != null) {
              promise.fail(error);
            } else {
              promise.complete(metadata);
            }
          }));
        } catch (RuntimeException e) {
          context.runOnContext(v -> promise.fail(e));
        }
      });
    } catch (RejectedExecutionException e) {
      promise.fail(new IllegalStateException("the Kafka producer is closed"));
    }
    return promise.future();
  }

  /** Sends what is queued (waiting up to {@code timeout}), then closes the producer. */
  Future<Void> close(Duration timeout) {
    return vertx.executeBlocking(() -> {
      sendThread.shutdown();
      try {
        sendThread.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } finally {
        producer.close(timeout);
      }
      return null;
    });
  }
}
