package dev.berth.registry.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The subscription API: what it stores, what it refuses and how it says so. */
@ExtendWith(PostgresExtension.class)
class WebhookApiTest {

    private final Vertx vertx = Vertx.vertx();
    private RegistryUnderTest registry;

    @AfterEach
    void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    private int count() throws Exception {
        return registry.call("GET", "/api/v1/webhooks", null).json().getJsonArray("webhooks").size();
    }

    private void assertRefused(String body, int status, String code, String messagePart) throws Exception {
        int before = count();
        RegistryUnderTest.Reply reply = registry.call("POST", "/api/v1/webhooks", body);
        assertThat(reply.status()).as("status for %s", body).isEqualTo(status);
        assertThat(reply.json().getJsonObject("error").getString("code")).isEqualTo(code);
        assertThat(reply.json().getJsonObject("error").getString("message")).contains(messagePart);
        assertThat(count()).as("nothing stored for %s", body).isEqualTo(before);
    }

    @Test
    void createReadReplaceDeleteWithAWriteOnlySecret(PostgresDatabase db, @TempDir Path storage) throws Exception {
        registry = RegistryUnderTest.start(vertx, db, storage, "", true);
        JsonObject created = registry.createWebhook(new JsonObject().put("targetUrl", "http://127.0.0.1:9/hook"));
        String id = created.getString("id");
        assertThat(created.getString("secret")).startsWith("whsec_");
        assertThat(created.getJsonArray("eventTypes")).hasSize(4);
        assertThat(created.getString("repositoryGlob")).isEqualTo("**");
        assertThat(created.getBoolean("enabled")).isTrue();

        JsonObject read = registry.webhook(id);
        assertThat(read.containsKey("secret")).isFalse();
        assertThat(read.getString("targetUrl")).isEqualTo("http://127.0.0.1:9/hook");

        RegistryUnderTest.Reply replaced = registry.call("PUT", "/api/v1/webhooks/" + id, new JsonObject()
                .put("targetUrl", "https://127.0.0.1:9/other").put("repositoryGlob", "team/**")
                .put("eventTypes", new JsonArray().add("dev.berth.tag.deleted")).put("enabled", false).encode());
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().getString("repositoryGlob")).isEqualTo("team/**");
        assertThat(replaced.json().getBoolean("enabled")).isFalse();
        assertThat(replaced.json().getString("disabledReason")).isEqualTo("disabled through the API");
        assertThat(replaced.json().containsKey("secret")).isFalse();

        RegistryUnderTest.Reply deliveries = registry.call("GET", "/api/v1/webhooks/" + id + "/deliveries?limit=5", null);
        assertThat(deliveries.status()).isEqualTo(200);
        assertThat(deliveries.json().getJsonArray("deliveries")).isEmpty();

        assertThat(registry.call("DELETE", "/api/v1/webhooks/" + id, null).status()).isEqualTo(204);
        assertThat(registry.call("GET", "/api/v1/webhooks/" + id, null).status()).isEqualTo(404);
        assertThat(registry.call("DELETE", "/api/v1/webhooks/" + id, null).status()).isEqualTo(404);
    }

    @Test
    void badInputIsRefusedWithAPreciseMessageAndNothingStored(PostgresDatabase db, @TempDir Path storage) throws Exception {
        registry = RegistryUnderTest.start(vertx, db, storage, "", true);
        assertRefused("{}", 400, "invalid_webhook", "targetUrl is required");
        assertRefused("not json", 400, "invalid_webhook", "not a JSON object");
        assertRefused("[1]", 400, "invalid_webhook", "JSON object");
        assertRefused("{\"targetUrl\":\"ftp://example.com/x\"}", 400, "invalid_webhook", "http or https");
        assertRefused("{\"targetUrl\":\"http:///path\"}", 400, "invalid_webhook", "host");
        assertRefused("{\"targetUrl\":\"http://127.0.0.1/x\",\"eventTypes\":[\"dev.berth.image.eaten\"]}", 400,
                "invalid_webhook", "unknown event type 'dev.berth.image.eaten'");
        assertRefused("{\"targetUrl\":\"http://127.0.0.1/x\",\"eventTypes\":[]}", 400, "invalid_webhook", "non-empty");
        assertRefused("{\"targetUrl\":\"http://127.0.0.1/x\",\"repositoryGlob\":\"team//x\"}", 400, "invalid_webhook",
                "empty path segment");
        assertRefused("{\"targetUrl\":\"http://127.0.0.1/x\",\"repositoryGlob\":\"Team/***\"}", 400, "invalid_webhook",
                "segment 'Team'");
        assertRefused("{\"targetUrl\":\"http://127.0.0.1/x\",\"colour\":\"red\"}", 400, "invalid_webhook",
                "unknown field 'colour'");
        assertRefused("{\"targetUrl\":\"http://127.0.0.1/x\",\"disabledReason\":\"x\"}", 400, "invalid_webhook",
                "set by the server");
        assertRefused("{\"targetUrl\":\"http://127.0.0.1/x\",\"secret\":\"short\"}", 400, "invalid_webhook", "whsec_");
        assertRefused("{\"targetUrl\":\"http://127.0.0.1/x\",\"enabled\":\"yes\"}", 400, "invalid_webhook", "true or false");
        assertRefused("{\"targetUrl\":\"http://127.0.0.1/x\",\"pad\":\"" + "x".repeat(20_000) + "\"}", 413,
                "body_too_large", "bytes");

        JsonObject created = registry.createWebhook(new JsonObject().put("targetUrl", "http://127.0.0.1:9/x"));
        String id = created.getString("id");
        RegistryUnderTest.Reply badPut = registry.call("PUT", "/api/v1/webhooks/" + id, "{\"targetUrl\":\"gopher://x\"}");
        assertThat(badPut.status()).isEqualTo(400);
        assertThat(registry.webhook(id).getString("targetUrl")).isEqualTo("http://127.0.0.1:9/x");
        assertThat(registry.call("GET", "/api/v1/webhooks/" + id + "/deliveries?limit=0", null).status()).isEqualTo(400);
        assertThat(registry.call("GET", "/api/v1/webhooks/not-a-uuid", null).status()).isEqualTo(404);
        assertThat(registry.call("GET", "/api/v1/webhooks/00000000-0000-0000-0000-000000000000/deliveries", null)
                .status()).isEqualTo(404);
        assertThat(registry.call("PUT", "/api/v1/webhooks/00000000-0000-0000-0000-000000000000",
                "{\"targetUrl\":\"http://127.0.0.1/x\"}").status()).isEqualTo(404);
    }

    @Test
    void privateTargetsAreRefusedUnlessAllowed(PostgresDatabase db, @TempDir Path storage) throws Exception {
        registry = RegistryUnderTest.start(vertx, db, storage, "", false);
        for (String url : new String[] {"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook",
                "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://169.254.169.254/latest", "http://[fd00::1]/x"}) {
            assertRefused(new JsonObject().put("targetUrl", url).encode(), 400, "target_not_allowed",
                    "allow-private-targets");
        }
    }
}
