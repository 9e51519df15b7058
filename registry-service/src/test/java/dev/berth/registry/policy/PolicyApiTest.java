package dev.berth.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's contract: what it stores and shows, what it refuses, and that a refusal changes nothing. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyApiTest {

    private static final String NS = "/api/v1/registry/namespaces/";

    @TempDir
    static Path storage;
    private PolicyRegistry registry;

    @BeforeAll
    void start(PostgresDatabase db) throws Exception {
        registry = PolicyRegistry.start(db, storage, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        registry.close();
    }

    private void assertRefused(String method, String path, String body, int status, String code, String messagePart)
            throws Exception {
        PolicyRegistry.Reply reply = registry.call(method, path, body);
        assertThat(reply.status()).as("%s %s %s: %s", method, path, body, reply.body()).isEqualTo(status);
        assertThat(reply.code()).isEqualTo(code);
        assertThat(reply.json().getJsonObject("error").getString("message")).contains(messagePart);
    }

    @Test
    void quotaIsSetShownWithUsageAndRemoved() throws Exception {
        JsonObject none = registry.ok("GET", NS + "fresh/quota", null);
        assertThat(none).isEqualTo(new JsonObject().put("namespace", "fresh").putNull("limitBytes").put("usedBytes", 0L));
        assertThat(registry.ok("PUT", NS + "fresh/quota", "{\"limitBytes\":5000}").getLong("limitBytes")).isEqualTo(5000);
        registry.pushBlob("fresh/app", "12345".getBytes(StandardCharsets.UTF_8));
        JsonObject shown = registry.ok("GET", NS + "fresh/quota", null);
        assertThat(shown.getLong("limitBytes")).isEqualTo(5000);
        assertThat(shown.getLong("usedBytes")).isEqualTo(5);
        assertThat(registry.call("DELETE", NS + "fresh/quota", null).status()).isEqualTo(204);
        assertRefused("DELETE", NS + "fresh/quota", null, 404, "quota_not_found", "has no quota");
        assertThat(registry.ok("GET", NS + "fresh/quota", null).getValue("limitBytes")).isNull();
        JsonObject recount = registry.ok("POST", NS + "fresh/quota/recompute", null);
        assertThat(recount.getLong("usedBytes")).isEqualTo(5);
    }

    @Test
    void badQuotaInputIsRefusedAndChangesNothing() throws Exception {
        registry.ok("PUT", NS + "strict/quota", "{\"limitBytes\":100}");
        assertRefused("PUT", NS + "strict/quota", "{\"limitBytes\":-1}", 400, "invalid_policy", "at least 0");
        assertRefused("PUT", NS + "strict/quota", "{\"limitBytes\":1.5}", 400, "invalid_policy", "integer");
        assertRefused("PUT", NS + "strict/quota", "{\"limitBytes\":\"100\"}", 400, "invalid_policy", "integer");
        assertRefused("PUT", NS + "strict/quota", "{}", 400, "invalid_policy", "limitBytes");
        assertRefused("PUT", NS + "strict/quota", "{\"limitBytes\":1,\"usedBytes\":0}", 400, "invalid_policy",
                "unknown field 'usedBytes'");
        assertRefused("PUT", NS + "strict/quota", "not json", 400, "invalid_policy", "not a JSON object");
        assertRefused("PUT", NS + "strict/quota", "[1]", 400, "invalid_policy", "JSON object");
        PolicyRegistry.Reply noType = registry.call("PUT", NS + "strict/quota", "{\"limitBytes\":1}".getBytes(StandardCharsets.UTF_8),
                "text/plain");
        assertThat(noType.status()).isEqualTo(400);
        assertThat(noType.json().getJsonObject("error").getString("message")).contains("application/json");
        assertRefused("PUT", NS + "strict/quota", "{\"limitBytes\":1,\"pad\":\"" + "x".repeat(70_000) + "\"}", 413,
                "body_too_large", "bytes");
        for (String bad : new String[] {"Strict", "strict_", "-x", "a..b"}) {
            assertRefused("PUT", NS + bad + "/quota", "{\"limitBytes\":1}", 400, "invalid_policy", "invalid namespace");
            assertRefused("GET", NS + bad + "/quota", null, 400, "invalid_policy", "invalid namespace");
        }
        assertThat(registry.ok("GET", NS + "strict/quota", null).getLong("limitBytes")).isEqualTo(100);
    }

    @Test
    void unknownPathsAreNotFoundAndWrongMethodsNotAllowed() throws Exception {
        assertRefused("GET", NS + "strict/colour", null, 404, "not_found", "/colour");
        assertRefused("GET", NS + "strict", null, 404, "not_found", "no such resource");
        assertRefused("DELETE", NS + "strict/immutable-tags", null, 405, "method_not_allowed", "GET, PUT");
        PolicyRegistry.Reply getRun = registry.call("GET", NS + "strict/retention/run", null);
        assertThat(getRun.status()).isEqualTo(405);
        assertThat(getRun.message()).contains("allowed: POST");
    }

    @Test
    void immutablePatternsAreValidatedAndReplacedWhole() throws Exception {
        assertThat(registry.ok("GET", NS + "pat/immutable-tags", null).getJsonArray("patterns")).isEmpty();
        JsonObject saved = registry.ok("PUT", NS + "pat/immutable-tags", "{\"patterns\":[\"v*\",\"release-?\",\"v*\"]}");
        assertThat(saved.getJsonArray("patterns")).containsExactly("v*", "release-?");
        assertRefused("PUT", NS + "pat/immutable-tags", "{\"patterns\":[\"v[0-9]\"]}", 400, "invalid_policy", "v[0-9]");
        assertRefused("PUT", NS + "pat/immutable-tags", "{\"patterns\":[\"\"]}", 400, "invalid_policy", "empty");
        assertRefused("PUT", NS + "pat/immutable-tags", "{\"patterns\":[1]}", 400, "invalid_policy", "strings");
        assertRefused("PUT", NS + "pat/immutable-tags", "{\"patterns\":\"v*\"}", 400, "invalid_policy", "array");
        assertRefused("PUT", NS + "pat/immutable-tags", "{\"pattern\":[\"v*\"]}", 400, "invalid_policy", "unknown field");
        assertRefused("PUT", NS + "pat/immutable-tags", "{\"patterns\":[\"" + "a".repeat(129) + "\"]}", 400,
                "invalid_policy", "longer than 128");
        assertThat(registry.ok("GET", NS + "pat/immutable-tags", null).getJsonArray("patterns")).containsExactly("v*", "release-?");
        assertThat(registry.ok("PUT", NS + "pat/immutable-tags", "{\"patterns\":[]}").getJsonArray("patterns")).isEmpty();
        assertThat(registry.ok("GET", NS + "pat/immutable-tags", null).getJsonArray("patterns")).isEmpty();
    }

    @Test
    void retentionRulesAreValidatedAndReplacedWhole() throws Exception {
        String rules = "{\"rules\":[{\"type\":\"keep-latest-tags\",\"pattern\":\"*\",\"count\":3},"
                + "{\"type\":\"delete-untagged\",\"olderThan\":\"7d\"}]}";
        assertThat(registry.ok("GET", NS + "ret/retention", null).getJsonArray("rules")).isEmpty();
        JsonObject saved = registry.ok("PUT", NS + "ret/retention", rules);
        assertThat(saved.getJsonArray("rules")).isEqualTo(new JsonObject(rules).getJsonArray("rules"));
        String r = NS + "ret/retention";
        assertRefused("PUT", r, "{\"rules\":[{\"type\":\"keep-everything\"}]}", 400, "invalid_policy", "rules[0].type");
        assertRefused("PUT", r, "{\"rules\":[{\"type\":\"keep-latest-tags\",\"pattern\":\"*\",\"count\":-1}]}", 400,
                "invalid_policy", "rules[0].count");
        assertRefused("PUT", r, "{\"rules\":[{\"type\":\"keep-latest-tags\",\"pattern\":\"a/b\",\"count\":1}]}", 400,
                "invalid_policy", "rules[0].pattern");
        assertRefused("PUT", r, "{\"rules\":[{\"type\":\"keep-latest-tags\",\"count\":1}]}", 400,
                "invalid_policy", "rules[0].pattern");
        assertRefused("PUT", r, "{\"rules\":[{\"type\":\"delete-untagged\",\"olderThan\":\"a week\"}]}", 400,
                "invalid_policy", "rules[0].olderThan");
        assertRefused("PUT", r, "{\"rules\":[{\"type\":\"delete-untagged\",\"olderThan\":\"7d\",\"dryRun\":true}]}", 400,
                "invalid_policy", "unknown field 'dryRun' in rules[0]");
        assertRefused("PUT", r, "{\"rules\":{}}", 400, "invalid_policy", "array");
        assertRefused("PUT", r, "{\"rules\":[3]}", 400, "invalid_policy", "rules[0] must be an object");
        assertThat(registry.ok("GET", r, null).getJsonArray("rules")).isEqualTo(new JsonObject(rules).getJsonArray("rules"));

        assertRefused("POST", r + "/run", "{\"dryRun\":\"yes\"}", 400, "invalid_policy", "true or false");
        assertRefused("POST", r + "/run", "{\"dry\":true}", 400, "invalid_policy", "unknown field 'dry'");
        JsonObject report = registry.ok("POST", r + "/run", "{\"dryRun\":true}");
        assertThat(report.getString("namespace")).isEqualTo("ret");
        assertThat(report.getBoolean("dryRun")).isTrue();
        assertThat(registry.ok("PUT", r, "{\"rules\":[]}").getJsonArray("rules")).isEmpty();
    }
}
