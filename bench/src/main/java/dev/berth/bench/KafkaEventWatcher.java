package dev.berth.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads Berth's push events from Kafka on its own thread (the consumer blocks) and records when each tag's
 * record was consumed. A fresh consumer group reading from the earliest offset, so no event is missed while
 * the group is still being assigned its partitions.
 */
final class KafkaEventWatcher implements AutoCloseable {

  static final String TOPIC = "berth.registry.events";
  static final String IMAGE_PUSHED = "dev.berth.image.pushed";

  final Arrivals arrivals = new Arrivals();
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;

  KafkaEventWatcher(String bootstrapServers) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "events-bench-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, "kafka-event-watcher");
    thread.setDaemon(true);
  }

  void start() {
    consumer.subscribe(List.of(TOPIC));
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
        long consumed = System.nanoTime();
        for (ConsumerRecord<String, byte[]> record : records) {
          Header type = record.headers().lastHeader("ce_type");
          if (type == null || !IMAGE_PUSHED.equals(new String(type.value(), StandardCharsets.UTF_8))) {
            continue;
          }
          JsonObject value = Buffer.buffer(record.value()).toJsonObject();
          for (Object tag : value.getJsonArray("tags", new JsonArray())) {
            arrivals.record(String.valueOf(tag), consumed);
          }
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // close() woke us up to stop.
    } catch (RuntimeException e) {
      System.err.println("kafka watcher stopped: " + e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(5000);
  }
}
