package dev.berth.registry.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.KafkaBroker;
import dev.berth.infra.KafkaExtension;
import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.kit.events.Event;
import dev.berth.kit.events.EventPublisher;
import dev.berth.kit.events.Topics;
import dev.berth.registry.meta.Outbox;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Push → Kafka → dispatcher → signed POST to a real receiver, with retries, 410 and redelivery. */
@ExtendWith({PostgresExtension.class, KafkaExtension.class})
class WebhookDeliveryTest {

    private Vertx vertx;
    private RegistryUnderTest registry;
    private WebhookReceiver receiver;

    @BeforeEach
    void start(PostgresDatabase db, KafkaBroker kafka, @TempDir Path storage) throws Exception {
        vertx = Vertx.vertx();
        registry = RegistryUnderTest.start(vertx, db, storage, kafka.bootstrapServers(), true);
    }

    @AfterEach
    void stop() throws Exception {
        if (receiver != null) {
            receiver.close();
        }
        registry.close();
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    private static JsonObject subscription(String url, String glob) {
        return new JsonObject().put("targetUrl", url).put("repositoryGlob", glob)
                .put("eventTypes", new JsonArray().add("dev.berth.image.pushed"));
    }

    @Test
    void aPushReachesTheReceiverOnceSignedPerStandardWebhooks() throws Exception {
        receiver = WebhookReceiver.start(vertx, 0);
        JsonObject created = registry.createWebhook(subscription(receiver.url(), "hooks-push/*"));
        String secret = created.getString("secret");
        assertThat(secret).startsWith("whsec_");

        registry.push("hooks-push/app", "v1");
        registry.push("elsewhere/app", "v1");

        WebhookReceiver.Received got = receiver.next(60);
        assertThat(got).as("a delivery within 60 s").isNotNull();
        assertThat(got.headers().get("Content-Type")).isEqualTo("application/cloudevents+json");
        JsonObject event = new JsonObject(got.body());
        assertThat(event.getString("specversion")).isEqualTo("1.0");
        assertThat(event.getString("type")).isEqualTo("dev.berth.image.pushed");
        assertThat(event.getString("subject")).isEqualTo("hooks-push/app");
        assertThat(event.getString("source")).isEqualTo("/berth/registry");
        assertThat(event.getString("datacontenttype")).isEqualTo("application/json");
        assertThat(event.getString("time")).isNotBlank();
        assertThat(event.getJsonObject("data").getJsonArray("tags")).containsExactly("v1");

        String id = got.headers().get("webhook-id");
        String timestamp = got.headers().get("webhook-timestamp");
        assertThat(id).isEqualTo(event.getString("id"));
        assertThat(Long.parseLong(timestamp)).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(300L));
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        String expected = "v1," + Base64.getEncoder().encodeToString(hmac(key, id + "." + timestamp + "." + got.body()));
        assertThat(got.headers().get("webhook-signature").split(" ")).contains(expected);
        assertThat(got.headers().get("X-Hub-Signature-256")).isEqualTo("sha256=" + HexFormat.of().formatHex(hmac(key, got.body())));

        // A duplicate would come now; the other repository's push matches no subscription.
        assertThat(receiver.next(3)).isNull();
        JsonArray deliveries = registry.deliveries(created.getString("id"));
        assertThat(deliveries).hasSize(1);
        JsonObject delivery = deliveries.getJsonObject(0);
        assertThat(delivery.getString("status")).isEqualTo("succeeded");
        assertThat(delivery.getString("eventId")).isEqualTo(id);
        assertThat(delivery.getJsonArray("attempts")).hasSize(1);
        assertThat(delivery.getJsonArray("attempts").getJsonObject(0).getInteger("statusCode")).isEqualTo(204);
    }

    @Test
    void aReceiverThatIsDownGetsTheEventOnceItListens() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        JsonObject created = registry.createWebhook(subscription("http://127.0.0.1:" + port + "/hook", "hooks-down/*"));
        String id = created.getString("id");
        registry.push("hooks-down/app", "v1");

        eventually(() -> {
            JsonArray d = registry.deliveries(id);
            return !d.isEmpty() && d.getJsonObject(0).getJsonArray("attempts").size() >= 2;
        });
        JsonObject failing = registry.deliveries(id).getJsonObject(0);
        assertThat(failing.getString("status")).isEqualTo("pending");
        JsonObject firstAttempt = failing.getJsonArray("attempts").getJsonObject(0);
        assertThat(firstAttempt.getInteger("statusCode")).isNull();
        assertThat(firstAttempt.getString("error")).isNotBlank();

        receiver = WebhookReceiver.start(vertx, port);
        WebhookReceiver.Received got = receiver.next(60);
        assertThat(got).isNotNull();
        assertThat(got.headers().get("webhook-id")).isEqualTo(failing.getString("eventId"));
        eventually(() -> registry.deliveries(id).getJsonObject(0).getString("status").equals("succeeded"));
        JsonArray attempts = registry.deliveries(id).getJsonObject(0).getJsonArray("attempts");
        assertThat(attempts.getJsonObject(attempts.size() - 1).getInteger("statusCode")).isEqualTo(204);
        assertThat(attempts.getJsonObject(attempts.size() - 1).getLong("latencyMs")).isNotNull();
        assertThat(registry.webhook(id).getBoolean("enabled")).isTrue();
    }

    @Test
    void goneDisablesTheSubscriptionAndSaysWhy() throws Exception {
        receiver = WebhookReceiver.start(vertx, 0);
        receiver.status.set(410);
        String id = registry.createWebhook(subscription(receiver.url(), "hooks-gone/*")).getString("id");
        registry.push("hooks-gone/app", "v1");

        assertThat(receiver.next(60)).isNotNull();
        eventually(() -> !registry.webhook(id).getBoolean("enabled"));
        JsonObject webhook = registry.webhook(id);
        assertThat(webhook.getString("disabledReason")).contains("410 Gone");
        assertThat(registry.deliveries(id).getJsonObject(0).getString("status")).isEqualTo("failed");

        // Nothing more goes to a disabled subscription.
        registry.push("hooks-gone/app", "v2");
        assertThat(receiver.next(3)).isNull();
    }

    @Test
    void redeliverSendsTheSameEventAgainWithTheSameWebhookId() throws Exception {
        receiver = WebhookReceiver.start(vertx, 0);
        String id = registry.createWebhook(subscription(receiver.url(), "hooks-again/*")).getString("id");
        registry.push("hooks-again/app", "v1");
        WebhookReceiver.Received first = receiver.next(60);
        assertThat(first).isNotNull();
        eventually(() -> registry.deliveries(id).getJsonObject(0).getString("status").equals("succeeded"));
        String deliveryId = registry.deliveries(id).getJsonObject(0).getString("id");

        RegistryUnderTest.Reply reply = registry.call("POST",
                "/api/v1/webhooks/" + id + "/deliveries/" + deliveryId + "/redeliver", null);
        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.json().getString("id")).isNotEqualTo(deliveryId);

        WebhookReceiver.Received second = receiver.next(60);
        assertThat(second).isNotNull();
        assertThat(second.headers().get("webhook-id")).isEqualTo(first.headers().get("webhook-id"));
        assertThat(second.body()).isEqualTo(first.body());
        eventually(() -> registry.deliveries(id).size() == 2
                && registry.deliveries(id).getJsonObject(0).getString("status").equals("succeeded"));

        assertThat(registry.call("POST", "/api/v1/webhooks/" + id + "/deliveries/999999/redeliver", null).status())
                .isEqualTo(404);
    }

    @Test
    void unavailableWithRetryAfterIsRetriedNoEarlierThanAsked() throws Exception {
        receiver = WebhookReceiver.start(vertx, 0);
        receiver.status.set(503);
        receiver.retryAfter.set("3");
        String id = registry.createWebhook(subscription(receiver.url(), "hooks-later/*")).getString("id");
        registry.push("hooks-later/app", "v1");
        assertThat(receiver.next(60)).isNotNull();
        receiver.status.set(200);
        receiver.retryAfter.set(null);
        WebhookReceiver.Received retried = receiver.next(60);
        assertThat(retried).as("the retry; deliveries: %s", registry.deliveries(id)).isNotNull();

        eventually(() -> registry.deliveries(id).getJsonObject(0).getString("status").equals("succeeded"));
        JsonArray attempts = registry.deliveries(id).getJsonObject(0).getJsonArray("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.getJsonObject(0).getInteger("statusCode")).isEqualTo(503);
        // The schedule alone would retry after about 1 s; the target asked for 3.
        Instant first = Instant.parse(attempts.getJsonObject(0).getString("at"));
        Instant second = Instant.parse(attempts.getJsonObject(1).getString("at"));
        assertThat(second).isAfterOrEqualTo(first.plusSeconds(3));
    }

    @Test
    void anEventKafkaHandsOutTwiceIsDeliveredOnce(KafkaBroker kafka) throws Exception {
        receiver = WebhookReceiver.start(vertx, 0);
        String id = registry.createWebhook(subscription(receiver.url(), "hooks-dup/*")).getString("id");
        // The same event published twice, as the outbox relay does after a crash between send and mark.
        Event event = Event.of(Outbox.SOURCE, Outbox.IMAGE_PUSHED, "hooks-dup/app", new JsonObject().put("tags",
                new JsonArray().add("v1")));
        EventPublisher publisher = EventPublisher.create(vertx, kafka.bootstrapServers());
        try {
            publisher.publish(Topics.REGISTRY_EVENTS, event).await(60, TimeUnit.SECONDS);
            publisher.publish(Topics.REGISTRY_EVENTS, event).await(60, TimeUnit.SECONDS);
        } finally {
            publisher.close().await(30, TimeUnit.SECONDS);
        }
        WebhookReceiver.Received got = receiver.next(60);
        assertThat(got).isNotNull();
        assertThat(got.headers().get("webhook-id")).isEqualTo(event.id());
        assertThat(receiver.next(3)).isNull();
        assertThat(registry.deliveries(id)).hasSize(1);
    }

    @Test
    void aSubscriptionFailingForLongerThanAllowedIsDisabled(PostgresDatabase db, KafkaBroker kafka,
                                                           @TempDir Path storage) throws Exception {
        registry.close();
        registry = RegistryUnderTest.start(vertx, db, storage, kafka.bootstrapServers(), true,
                java.util.Map.of("registry.webhooks.disable-after", "2s"));
        receiver = WebhookReceiver.start(vertx, 0);
        receiver.status.set(500);
        String id = registry.createWebhook(subscription(receiver.url(), "hooks-failing/*")).getString("id");
        registry.push("hooks-failing/app", "v1");

        eventually(() -> !registry.webhook(id).getBoolean("enabled"));
        assertThat(registry.webhook(id).getString("disabledReason"))
                .contains("failed continuously since").contains("HTTP 500");
        JsonObject delivery = registry.deliveries(id).getJsonObject(0);
        assertThat(delivery.getString("status")).isEqualTo("failed");
        assertThat(delivery.getJsonArray("attempts").size()).isGreaterThan(1);
        assertThat(delivery.getJsonArray("attempts").getJsonObject(0).getInteger("statusCode")).isEqualTo(500);
    }

    private static byte[] hmac(byte[] key, String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits (up to 60 s) until {@code condition} holds: the outcome, not how fast it came. */
    private static void eventually(Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("condition not reached within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
