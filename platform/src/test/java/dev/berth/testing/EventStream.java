package dev.berth.testing;

import dev.berth.infra.TopicReader;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The platform-under-test's push events, read from its Kafka broker as any consumer would. */
public record EventStream(String bootstrapServers) {

    public static final String TOPIC = "berth.registry.events";

    /** Every event about {@code repository}; see {@link TopicReader#read}. */
    public List<ConsumerRecord<String, byte[]>> read(String repository, int atLeast) {
        return TopicReader.read(bootstrapServers, TOPIC, repository, atLeast);
    }
}
