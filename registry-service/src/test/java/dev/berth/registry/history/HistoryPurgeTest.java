package dev.berth.registry.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.infra.KafkaBroker;
import dev.berth.infra.KafkaExtension;
import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.kit.Database;
import dev.berth.kit.events.Inbox;
import dev.berth.registry.RegistryConfig;
import dev.berth.registry.RegistryService;
import dev.berth.registry.TestRegistryConfig;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Old history goes, in batches; what is still pending or recent stays, whatever its age. */
@ExtendWith({PostgresExtension.class, KafkaExtension.class})
class HistoryPurgeTest {

    private static final String WEBHOOK = "11111111-2222-3333-4444-555555555555";

    private static Vertx vertx;
    private static RegistryService registry;
    private static Pool pool;
    private static PostgresDatabase database;

    @BeforeAll
    static void start(PostgresDatabase db, @TempDir Path storage) throws Exception {
        database = db;
        vertx = Vertx.vertx();
        RegistryConfig config = RegistryConfig.from(TestRegistryConfig.of(db, storage)); // migrates the schema
        registry = RegistryService.start(vertx, config).await(60, TimeUnit.SECONDS);
        pool = Database.pool(vertx, config.database());
    }

    @AfterAll
    static void stop() throws Exception {
        pool.close().await(30, TimeUnit.SECONDS);
        registry.stop().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @Test
    void publishedEventsEndedDeliveriesAndInboxEntriesOlderThanTheWindowAreDeletedAndNothingElse() throws Exception {
        sql("insert into webhooks (id, target_url, event_types, repository_glob, secret) values ('" + WEBHOOK
                + "', 'http://127.0.0.1:9/hook', '{push}', '**', 'secret')");
        // More old published events than one batch, so the purge has to come back for the rest.
        sql("insert into outbox (event_id, type, subject, time, data, published_at) select gen_random_uuid(), "
                + "'old-published', 'team/app', now(), '{}', now() - interval '40 days' "
                + "from generate_series(1, " + (HistoryPurge.BATCH + 3) + ")");
        sql("insert into outbox (event_id, type, subject, time, data, published_at) values "
                + "(gen_random_uuid(), 'old-unpublished', 'team/app', now() - interval '40 days', '{}', null), "
                + "(gen_random_uuid(), 'recent-published', 'team/app', now(), '{}', now() - interval '2 days')");
        for (String status : List.of("succeeded", "failed", "abandoned", "pending")) {
            delivery("old-" + status, status, "40 days");
            delivery("recent-" + status, status, "2 days");
        }
        sql("insert into webhook_attempts (delivery_id, attempted_at, status_code, latency_ms) "
                + "select id, created_at, 500, 3 from webhook_deliveries");
        new Inbox(pool).createTable().await(30, TimeUnit.SECONDS);
        sql("insert into " + Inbox.TABLE + " (consumer_group, source, event_id, processed_at) values "
                + "('berth-webhooks', 'berth', 'handled-long-ago', now() - interval '40 days'), "
                + "('berth-webhooks', 'berth', 'handled-lately', now() - interval '2 days')");

        HistoryPurge.Purged purged = new HistoryPurge(pool, Duration.ofDays(30)).purge().await(60, TimeUnit.SECONDS);

        assertThat(purged.events()).isEqualTo(HistoryPurge.BATCH + 3);
        assertThat(purged.deliveries()).isEqualTo(3);
        assertThat(strings("select type from outbox order by type"))
                .containsExactly("old-unpublished", "recent-published");
        assertThat(strings("select event_id from webhook_deliveries order by event_id")).containsExactly(
                "old-pending", "recent-abandoned", "recent-failed", "recent-pending", "recent-succeeded");
        assertThat(strings("select count(*)::text from webhook_attempts")).containsExactly("5");
        assertThat(purged.inboxEntries()).isEqualTo(1);
        assertThat(strings("select event_id from " + Inbox.TABLE)).containsExactly("handled-lately");

        HistoryPurge.Purged again = new HistoryPurge(pool, Duration.ofDays(30)).purge().await(60, TimeUnit.SECONDS);
        assertThat(again).isEqualTo(new HistoryPurge.Purged(0, 0, 0));
    }

    @Test
    void withKafkaTheInboxIsKeptAsLongAsTheTopicCouldHandAnEventOverAgain(KafkaBroker kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic("purge-ten-days", 1, (short) 1)
                            .configs(Map.of("retention.ms", Long.toString(Duration.ofDays(10).toMillis()))),
                    new NewTopic("purge-forever", 1, (short) 1).configs(Map.of("retention.ms", "-1"))))
                    .all().get(60, TimeUnit.SECONDS);
        }
        new Inbox(pool).createTable().await(30, TimeUnit.SECONDS);
        sql("insert into " + Inbox.TABLE + " (consumer_group, source, event_id, processed_at) values "
                + "('berth-webhooks', 'berth', 'k-5-days', now() - interval '5 days'), "
                + "('berth-webhooks', 'berth', 'k-12-days', now() - interval '12 days')");
        String inboxQuery = "select event_id from " + Inbox.TABLE + " where event_id like 'k-%' order by event_id";
        try {
            // keep-days 1, but the topic keeps events 10 days: entries stay 10 + 1 days
            HistoryPurge.Purged tenDays = new HistoryPurge(vertx, pool, Duration.ofDays(1),
                    HistoryPurge.forTopic(kafka.bootstrapServers(), "purge-ten-days")).purge().await(60, TimeUnit.SECONDS);
            assertThat(strings(inboxQuery)).containsExactly("k-5-days");
            assertThat(tenDays.inboxEntries()).isEqualTo(1);

            // a topic that keeps events forever: every entry stays
            sql("insert into " + Inbox.TABLE + " (consumer_group, source, event_id, processed_at) values "
                    + "('berth-webhooks', 'berth', 'k-400-days', now() - interval '400 days')");
            HistoryPurge.Purged forever = new HistoryPurge(vertx, pool, Duration.ofDays(1),
                    HistoryPurge.forTopic(kafka.bootstrapServers(), "purge-forever")).purge().await(60, TimeUnit.SECONDS);
            assertThat(forever.inboxEntries()).isZero();

            // the broker cannot say (no such topic): the inbox is left alone this time, the outbox is not
            sql("insert into outbox (event_id, type, subject, time, data, published_at) values "
                    + "(gen_random_uuid(), 'k-published', 'team/app', now(), '{}', now() - interval '3 days')");
            HistoryPurge.Purged unknown = new HistoryPurge(vertx, pool, Duration.ofDays(1),
                    HistoryPurge.forTopic(kafka.bootstrapServers(), "no-such-topic")).purge().await(60, TimeUnit.SECONDS);
            assertThat(unknown.inboxEntries()).isZero();
            assertThat(strings(inboxQuery)).containsExactly("k-400-days", "k-5-days");
            assertThat(strings("select type from outbox where type = 'k-published'")).isEmpty();
        } finally {
            sql("delete from " + Inbox.TABLE + " where event_id like 'k-%'");
        }
    }

    @Test
    void aWindowOfNothingIsRefused() {
        assertThatThrownBy(() -> new HistoryPurge(pool, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void delivery(String eventId, String status, String age) throws Exception {
        sql("insert into webhook_deliveries (webhook_id, event_id, event_type, body, status, created_at) values ('"
                + WEBHOOK + "', '" + eventId + "', 'push', '{}', '" + status + "', now() - interval '" + age + "')");
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static List<String> strings(String query) throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
