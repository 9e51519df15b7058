package dev.berth.registry;

import static dev.berth.infra.TopicReader.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.KafkaBroker;
import dev.berth.infra.KafkaExtension;
import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.infra.TopicReader;
import dev.berth.kit.Database;
import dev.berth.kit.DatabaseConfig;
import dev.berth.kit.events.EventConsumer;
import dev.berth.kit.events.Inbox;
import dev.berth.kit.events.Topics;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay that dies after Kafka took its events but before it marked them sent leaves exactly the
 * state this test makes by hand: sent rows still unmarked. They are sent again, and a consumer with
 * an inbox applies each event once.
 */
@ExtendWith({PostgresExtension.class, KafkaExtension.class})
class RelayCrashRedeliveryTest {

    @Test
    void eventsSentTwiceAfterACrashTakeEffectOnce(PostgresDatabase db, KafkaBroker broker, @TempDir Path storage)
            throws Exception {
        Vertx vertx = Vertx.vertx();
        RegistryService registry = RegistryService.start(vertx, RegistryConfig.from(TestRegistryConfig.of(db, storage)
                .with("registry.events.kafka-bootstrap-servers", broker.bootstrapServers()))).await(60, TimeUnit.SECONDS);
        Pool pool = Database.pool(vertx, new DatabaseConfig(db.host(), db.port(), db.database(), db.user(), db.password(), 2));
        try {
            TestImages.push(registry.port(), "crash/app", "v1");
            assertThat(TopicReader.read(broker.bootstrapServers(), Topics.REGISTRY_EVENTS, "crash/app", 2)).hasSize(2);

            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
                c.createStatement().executeUpdate("update outbox set published_at = null where subject = 'crash/app'");
                c.createStatement().executeUpdate("create table effects (event_id text not null, type text not null)");
            }
            List<ConsumerRecord<String, byte[]>> records =
                    TopicReader.read(broker.bootstrapServers(), Topics.REGISTRY_EVENTS, "crash/app", 4);
            assertThat(records).hasSize(4);
            assertThat(records.stream().map(r -> header(r, "ce_id")).distinct()).hasSize(2);

            Inbox inbox = new Inbox(pool);
            EventConsumer consumer = EventConsumer.builder(vertx, broker.bootstrapServers(), "crash-test", Topics.REGISTRY_EVENTS)
                    .kafkaProperty("auto.offset.reset", "earliest")
                    .transactionalHandler(inbox, (event, conn) -> "crash/app".equals(event.subject())
                            ? conn.preparedQuery("insert into effects (event_id, type) values ($1, $2)")
                                    .execute(Tuple.of(event.id(), event.type())).mapEmpty()
                            : io.vertx.core.Future.succeededFuture())
                    .build();
            consumer.start().await(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (effects(db) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(3000); // a second effect of a repeat would land by now
            consumer.stop().await(30, TimeUnit.SECONDS);
            assertThat(effects(db)).isEqualTo(2);
        } finally {
            pool.close().await(10, TimeUnit.SECONDS);
            registry.stop().await(30, TimeUnit.SECONDS);
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    private static int effects(PostgresDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             var rs = c.createStatement().executeQuery("select count(*) from effects")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
