package dev.berth.gateway;

import static dev.berth.gateway.GatewayProxyTest.await;
import static dev.berth.gateway.GatewayProxyTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.gateway.audit.AuditConfig;
import dev.berth.gateway.audit.AuditEntry;
import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.kit.DatabaseConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit log on real PostgreSQL behind a gateway in front of a fake registry: what gets
 * recorded, and the query API's filters, paging and validation.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayAuditTest {

    private Vertx vertx;
    private FakeRegistry upstream;
    private GatewayVerticle gateway;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(PostgresDatabase db) throws Exception {
        vertx = Vertx.vertx();
        upstream = new FakeRegistry(vertx, "a").start();
        DatabaseConfig database = new DatabaseConfig(db.host(), db.port(), db.database(), db.user(), db.password(), 4);
        gateway = new GatewayVerticle(new GatewayConfig("127.0.0.1", 0, List.of(upstream.url()), null, 100, 2)
                .withDatabase(database, new AuditConfig(true, 1000, 50, 20)));
        await(vertx.deployVerticle(gateway));
        base = "http://127.0.0.1:" + gateway.actualPort();
    }

    @AfterAll
    void stop() throws Exception {
        await(vertx.close());
    }

    @Test
    void recordsPushesPullsDeletesAndAdminChangesButNotReads() throws Exception {
        send("PUT", "/v2/audit/one/manifests/v1", "{\"schemaVersion\":2}");
        send("GET", "/v2/audit/one/manifests/v1", null);
        send("HEAD", "/v2/audit/one/manifests/v1", null);
        send("PUT", "/v2/audit/one/blobs/uploads/u1?digest=sha256:abc", "layer");
        send("PATCH", "/v2/audit/one/blobs/uploads/u1", "chunk");
        send("GET", "/v2/audit/one/blobs/sha256:abc", null);
        send("DELETE", "/v2/audit/one/manifests/sha256:def", null);
        send("POST", "/api/v1/webhooks", "{}");
        send("GET", "/api/v1/webhooks", null);

        JsonArray entries = awaitEntries("repository=audit/one", 4);
        assertThat(entries).hasSize(4);
        List<String> actions = new ArrayList<>();
        entries.forEach(e -> actions.add(((JsonObject) e).getString("action") + " " + ((JsonObject) e).getString("target")));
        assertThat(actions).as("newest first")
                .containsExactly("delete manifest", "push blob", "pull manifest", "push manifest");
        JsonObject push = entries.getJsonObject(3);
        assertThat(push.getString("reference")).isEqualTo("v1");
        assertThat(push.getString("digest")).as("from the registry's Docker-Content-Digest").startsWith("sha256:");
        assertThat(push.getInteger("status")).isEqualTo(201);
        assertThat(push.getString("clientIp")).isEqualTo("127.0.0.1");
        assertThat(push.getJsonObject("actor").getString("kind")).isEqualTo("anonymous");
        assertThat(push.getString("requestId")).isNotBlank();
        assertThat(entries.getJsonObject(2).getInteger("status")).as("the fake has no manifests").isEqualTo(404);
        assertThat(entries.getJsonObject(1).getString("digest")).isEqualTo("sha256:abc");

        JsonArray admin = awaitEntries("action=admin", 1);
        assertThat(admin.getJsonObject(0).getString("detail")).isEqualTo("POST /api/v1/webhooks");
    }

    @Test
    void filtersByActorActionAndTimeAndPagesWithACursor() throws Exception {
        Instant before = Instant.now();
        for (int i = 0; i < 5; i++) {
            gateway.audit().record(AuditEntry.login(new Caller("pager", "user"), "192.0.2.1", true, 200, "token " + i));
        }
        gateway.audit().record(AuditEntry.login(new Caller("pager", "user"), "192.0.2.1", false, 401, "bad password"));
        awaitEntries("actor=pager", 6);

        List<String> details = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonObject page = query("actor=pager&action=login&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            page.getJsonArray("entries").forEach(e -> details.add(((JsonObject) e).getString("detail")));
            cursor = page.getString("next");
            pages++;
        } while (cursor != null);
        assertThat(details).containsExactly("token 4", "token 3", "token 2", "token 1", "token 0");
        assertThat(pages).isEqualTo(3);

        JsonArray failed = query("actor=pager&action=login_failed").getJsonArray("entries");
        assertThat(failed).hasSize(1);
        assertThat(failed.getJsonObject(0).getInteger("status")).isEqualTo(401);
        assertThat(query("actor=pager&until=" + enc(before.toString())).getJsonArray("entries")).isEmpty();
        assertThat(query("actor=pager&since=" + enc(before.toString())).getJsonArray("entries")).hasSize(6);
        assertThat(query("actor=nobody").getJsonArray("entries")).isEmpty();
    }

    @Test
    void rejectsBadParametersWithAClearError() throws Exception {
        for (String bad : List.of("limit=0", "limit=1001", "limit=ten", "since=yesterday", "action=steal",
                "cursor=nope!", "cursor=MA", "colour=blue", "actor=a&actor=b", "since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z")) {
            HttpResponse<String> resp = send("GET", "/api/v1/audit?" + bad, null);
            assertThat(resp.statusCode()).as(bad).isEqualTo(400);
            JsonObject error = new JsonObject(resp.body()).getJsonObject("error");
            assertThat(error.getString("code")).as(bad).isEqualTo("invalid_parameter");
            assertThat(error.getString("message")).as(bad).isNotBlank();
        }
    }

    @Test
    void withoutADatabaseTheGatewayRunsAndSaysTheLogIsOff() throws Exception {
        GatewayVerticle plain = new GatewayVerticle(new GatewayConfig("127.0.0.1", 0, List.of(upstream.url()), null, 100, 1));
        await(vertx.deployVerticle(plain));
        String plainBase = "http://127.0.0.1:" + plain.actualPort();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(plainBase + "/v2/")).build(), BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(plainBase + "/api/v1/audit")).build(),
                BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(resp.body()).getJsonObject("error").getString("code")).isEqualTo("audit_disabled");
        assertThat(plain.audit().record(AuditEntry.login(Caller.ANONYMOUS, "127.0.0.1", false, 401, null))).isFalse();
    }

    private JsonArray awaitEntries(String filter, int atLeast) throws Exception {
        JsonArray[] last = new JsonArray[1];
        waitFor(() -> {
            try {
                last[0] = query(filter).getJsonArray("entries");
                return last[0].size() >= atLeast;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return last[0];
    }

    private JsonObject query(String params) throws Exception {
        HttpResponse<String> resp = send("GET", "/api/v1/audit?" + params, null);
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        return new JsonObject(resp.body());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build(),
                BodyHandlers.ofString());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
