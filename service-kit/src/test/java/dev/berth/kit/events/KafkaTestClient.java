package dev.berth.kit.events;

import dev.berth.infra.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients for tests: set up topics, read raw records, look at a group's offsets. */
final class KafkaTestClient implements AutoCloseable {

  private final KafkaBroker broker;
  private final Admin admin;

  KafkaTestClient(KafkaBroker broker) {
    this.broker = broker;
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  /** A new topic with a unique name starting with {@code prefix}. */
  String createTopic(String prefix, int partitions) throws Exception {
    String name = prefix + "-" + UUID.randomUUID();
    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    return name;
  }

  /** Reads {@code count} records from the start of {@code topic} (waiting up to 60 s for them). */
  List<ConsumerRecord<byte[], byte[]>> read(String topic, int count) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Writes a raw record, e.g. one that is not an event at all. */
  void produce(ProducerRecord<byte[], byte[]> record) throws Exception {
    Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(record).get(30, TimeUnit.SECONDS);
    }
  }

  /** The offsets {@code group} committed, summed over partitions: how many records it is past. */
  long committedTotal(String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
  }

  /** Moves {@code group} (which must have no running member) back to the start of {@code topic}. */
  void rewind(String group, String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      start.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
    }
    admin.alterConsumerGroupOffsets(group, start).all().get(30, TimeUnit.SECONDS);
  }

  static String header(Headers headers, String name) {
    return headers.lastHeader(name) == null ? null
        : new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** Waits up to 60 s for {@code condition}; the caller asserts on the outcome afterwards. */
  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(10));
  }
}
