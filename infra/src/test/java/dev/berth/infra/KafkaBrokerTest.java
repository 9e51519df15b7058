package dev.berth.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class KafkaBrokerTest {

  @Test
  void roundTripsRecordsThroughTheSharedBroker(KafkaBroker broker) throws Exception {
    String topic = "round-trip-" + UUID.randomUUID();
    try (KafkaProducer<String, String> producer = producer(broker)) {
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>(topic, "repo", "event-" + i)).get(30, TimeUnit.SECONDS);
      }
    }

    assertThat(readAll(broker, topic, 3)).containsExactly("event-0", "event-1", "event-2");
    assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
  }

  @Test
  void aBrokerStartedAgainOnTheSameDirectoryKeepsItsRecords(@TempDir Path dir) throws Exception {
    String topic = "durable-" + UUID.randomUUID();
    try (KafkaBroker first = KafkaBroker.start(dir, 0);
        KafkaProducer<String, String> producer = producer(first)) {
      producer.send(new ProducerRecord<>(topic, "repo", "kept")).get(30, TimeUnit.SECONDS);
    }
    assertThat(dir.resolve("server.properties")).exists();

    try (KafkaBroker second = KafkaBroker.start(dir, 0)) {
      assertThat(readAll(second, topic, 1)).containsExactly("kept");
    }
  }

  @Test
  void aSendDuringAStopCompletesOnceTheBrokerIsBack(@TempDir Path dir) throws Exception {
    String topic = "outage-" + UUID.randomUUID();
    try (KafkaBroker broker = KafkaBroker.start(dir, 0);
        KafkaProducer<String, String> producer = producer(broker)) {
      producer.send(new ProducerRecord<>(topic, "repo", "before")).get(30, TimeUnit.SECONDS);

      broker.stop();
      assertThat(broker.isRunning()).isFalse();
      // send() itself may block while the producer waits for metadata, so it runs beside the restart.
      CompletableFuture<Future<RecordMetadata>> during = CompletableFuture.supplyAsync(
          () -> producer.send(new ProducerRecord<>(topic, "repo", "during")));

      broker.restart();
      assertThat(during.get(90, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS).offset()).isEqualTo(1);
      assertThat(readAll(broker, topic, 2)).containsExactly("before", "during");
    }
  }

  @Test
  void formatsADirectoryOnlyOnce(@TempDir Path dir) throws Exception {
    try (KafkaBroker broker = KafkaBroker.start(dir, 0)) {
      assertThat(broker.isRunning()).isTrue();
    }
    String clusterId = Files.readString(dir.resolve("cluster.id"));
    try (KafkaBroker broker = KafkaBroker.start(dir, 0)) {
      assertThat(Files.readString(dir.resolve("log").resolve("meta.properties")))
          .contains("cluster.id=" + clusterId.trim());
    }
  }

  static KafkaProducer<String, String> producer(KafkaBroker broker) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  static List<String> readAll(KafkaBroker broker, String topic, int expected) {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
