package dev.berth.registry;

import static dev.berth.infra.TopicReader.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.KafkaBroker;
import dev.berth.infra.KafkaExtension;
import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.infra.TopicReader;
import dev.berth.kit.Config;
import dev.berth.kit.events.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The outbox relay against a real broker: each committed event reaches Kafka once, in order. */
@ExtendWith({PostgresExtension.class, KafkaExtension.class})
class OutboxRelayTest {

    private final List<RegistryService> registries = new ArrayList<>();
    private Vertx vertx;

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        for (RegistryService r : registries) {
            r.stop().await(30, TimeUnit.SECONDS);
        }
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    private RegistryService start(PostgresDatabase db, Path storage, String kafka) throws Exception {
        Config config = TestRegistryConfig.of(db, storage)
                .with("registry.events.kafka-bootstrap-servers", kafka);
        RegistryService r = RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS);
        registries.add(r);
        return r;
    }

    private static String push(RegistryService r, String repository, String tag) throws Exception {
        return TestImages.push(r.port(), repository, tag);
    }

    private static List<ConsumerRecord<String, byte[]>> records(KafkaBroker broker, String repository, int atLeast) {
        return TopicReader.read(broker.bootstrapServers(), Topics.REGISTRY_EVENTS, repository, atLeast);
    }

    @Test
    void aTaggedPushReachesKafkaOnceAsACloudEvent(PostgresDatabase db, KafkaBroker broker, @TempDir Path storage)
            throws Exception {
        RegistryService r = start(db, storage, broker.bootstrapServers());
        String digest = push(r, "relay/one", "v1");

        List<ConsumerRecord<String, byte[]>> got = records(broker, "relay/one", 2);
        assertThat(got).extracting(rec -> header(rec, "ce_type"))
                .containsExactly("dev.berth.repository.created", "dev.berth.image.pushed");
        ConsumerRecord<String, byte[]> pushed = got.get(1);
        assertThat(header(pushed, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(pushed, "ce_source")).isEqualTo("/berth/registry");
        assertThat(header(pushed, "ce_subject")).isEqualTo("relay/one");
        assertThat(header(pushed, "ce_id")).isNotBlank();
        assertThat(header(pushed, "ce_time")).isNotBlank();
        assertThat(header(pushed, "content-type")).startsWith("application/json");
        JsonObject data = new JsonObject(new String(pushed.value(), StandardCharsets.UTF_8));
        assertThat(data.getString("digest")).isEqualTo(digest);
        assertThat(data.getJsonArray("tags")).containsExactly("v1");
    }

    @Test
    void eventsCommittedWhileNoRelayRanArriveLaterExactlyOnceWithTwoRelays(PostgresDatabase db, KafkaBroker broker,
                                                                          @TempDir Path storage) throws Exception {
        // No relay: the events wait in the outbox, as they would after a crash before the send.
        RegistryService quiet = start(db, storage, "");
        for (int i = 0; i < 5; i++) {
            push(quiet, "relay/later", "t" + i);
        }
        // Two replicas with relays on the same database: only one publishes at a time.
        start(db, storage, broker.bootstrapServers());
        RegistryService second = start(db, storage, broker.bootstrapServers());
        push(second, "relay/later", "t5");

        List<ConsumerRecord<String, byte[]>> got = records(broker, "relay/later", 7);
        List<String> tags = got.stream().filter(rec -> "dev.berth.image.pushed".equals(header(rec, "ce_type")))
                .map(rec -> new JsonObject(new String(rec.value(), StandardCharsets.UTF_8)).getJsonArray("tags").getString(0))
                .toList();
        assertThat(tags).containsExactly("t0", "t1", "t2", "t3", "t4", "t5");
        assertThat(got).extracting(rec -> header(rec, "ce_id")).doesNotHaveDuplicates();
    }

    @Test
    void pushesDuringA30SecondBrokerOutageAreAllDeliveredAfterItReturns(PostgresDatabase db, KafkaBroker broker,
                                                                       @TempDir Path storage) throws Exception {
        RegistryService r = start(db, storage, broker.bootstrapServers());
        push(r, "relay/outage", "before");
        assertThat(records(broker, "relay/outage", 2)).hasSize(2);

        broker.stop();
        List<String> pushedWhileDown = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; System.nanoTime() < end; i++) {
            // Every push is acknowledged: the registry does not depend on Kafka being up.
            push(r, "relay/outage", "down" + i);
            pushedWhileDown.add("down" + i);
            Thread.sleep(3000);
        }
        broker.restart();

        List<String> tags = records(broker, "relay/outage", 2 + pushedWhileDown.size()).stream()
                .filter(rec -> "dev.berth.image.pushed".equals(header(rec, "ce_type")))
                .map(rec -> new JsonObject(new String(rec.value(), StandardCharsets.UTF_8)).getJsonArray("tags").getString(0))
                .toList();
        List<String> expected = new ArrayList<>(List.of("before"));
        expected.addAll(pushedWhileDown);
        assertThat(tags).containsExactlyElementsOf(expected);
    }
}
