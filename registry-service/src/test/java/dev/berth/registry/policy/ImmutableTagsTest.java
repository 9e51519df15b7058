package dev.berth.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Immutable tag patterns: an immutable tag never moves and is never deleted; other tags are unaffected. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImmutableTagsTest {

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

    private byte[] image(String repository, String marker) throws Exception {
        byte[] config = ("{\"os\":\"linux\",\"architecture\":\"amd64\",\"marker\":\"" + marker + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(registry.pushBlob(repository, config).status()).isEqualTo(201);
        return PolicyRegistry.manifest(config, List.of());
    }

    private void assertDenied(PolicyRegistry.Reply reply, String messagePart) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(403);
        assertThat(reply.code()).isEqualTo("DENIED");
        assertThat(reply.message()).contains(messagePart);
    }

    @Test
    void aChildOfAnIndexUnderAnImmutableTagCannotBeDeleted() throws Exception {
        registry.ok("PUT", "/api/v1/registry/namespaces/sealed/immutable-tags", "{\"patterns\":[\"v*\"]}");
        String repo = "sealed/multi";
        byte[] child = image(repo, "child");
        String childDigest = Digest.sha256(child).toString();
        assertThat(registry.putManifest(repo, childDigest, child).status()).isEqualTo(201);
        byte[] index = new JsonObject().put("schemaVersion", 2)
                .put("mediaType", MediaTypes.OCI_INDEX)
                .put("manifests", new JsonArray().add(new JsonObject()
                        .put("mediaType", MediaTypes.OCI_MANIFEST).put("digest", childDigest)
                        .put("size", child.length))).encode().getBytes(StandardCharsets.UTF_8);
        assertThat(registry.call("PUT", "/v2/" + repo + "/manifests/v1", index, MediaTypes.OCI_INDEX)
                .status()).isEqualTo(201);
        assertDenied(registry.call("DELETE", "/v2/" + repo + "/manifests/" + childDigest, null),
                "it points at index " + Digest.sha256(index) + ", which lists manifest " + childDigest);
        assertThat(registry.call("GET", "/v2/" + repo + "/manifests/" + childDigest, null).status()).isEqualTo(200);
        // Nor can the child's config blob be unlinked: the image under v1 would no longer pull.
        String config = new JsonObject(new String(child, StandardCharsets.UTF_8)).getJsonObject("config").getString("digest");
        assertDenied(registry.call("DELETE", "/v2/" + repo + "/blobs/" + config, null), "uses blob " + config);
        assertThat(registry.call("HEAD", "/v2/" + repo + "/blobs/" + config, null).status()).isEqualTo(200);
        // A blob no immutable image uses can go.
        byte[] loose = "loose".getBytes(StandardCharsets.UTF_8);
        assertThat(registry.pushBlob(repo, loose).status()).isEqualTo(201);
        assertThat(registry.call("DELETE", "/v2/" + repo + "/blobs/" + Digest.sha256(loose), null).status()).isEqualTo(202);
    }

    @Test
    void anImmutableTagCannotMoveOrGoButTheSameDigestMayBePushedAgain() throws Exception {
        registry.ok("PUT", "/api/v1/registry/namespaces/locked/immutable-tags", "{\"patterns\":[\"v*\",\"release-?\"]}");
        String repo = "locked/app";
        byte[] first = image(repo, "first");
        byte[] second = image(repo, "second");
        String firstDigest = Digest.sha256(first).toString();
        String secondDigest = Digest.sha256(second).toString();

        assertThat(registry.putManifest(repo, "v1", first).status()).isEqualTo(201);
        assertThat(registry.putManifest(repo, "v1", first).status()).as("same digest again").isEqualTo(201);
        assertDenied(registry.putManifest(repo, "v1", second),
                "tag \"v1\" of locked/app is immutable (namespace \"locked\", pattern \"v*\"): it points at "
                        + firstDigest + " and cannot be moved to " + secondDigest);
        assertThat(Digest.sha256(registry.get("/v2/" + repo + "/manifests/v1")).toString()).isEqualTo(firstDigest);
        assertThat(registry.call("GET", "/v2/" + repo + "/manifests/" + secondDigest, null).status())
                .as("the refused manifest is not stored either").isEqualTo(404);

        // Multi-tag pushes: one immutable tag that would move refuses the whole push, other tags included.
        assertDenied(registry.putManifest(repo, secondDigest + "?tag=latest&tag=v1", second), "tag \"v1\"");
        assertDenied(registry.putManifest(repo, "latest?tag=v1", second), "tag \"v1\"");
        assertThat(registry.tags(repo)).containsExactly("v1");
        assertThat(registry.putManifest(repo, secondDigest + "?tag=latest&tag=release-1", second).status()).isEqualTo(201);
        assertThat(registry.putManifest(repo, firstDigest + "?tag=v1&tag=v2", first).status()).isEqualTo(201);
        assertThat(registry.tags(repo)).containsExactly("latest", "release-1", "v1", "v2");

        // A mutable tag still moves; release-10 does not match release-? and is mutable too.
        assertThat(registry.putManifest(repo, "latest", first).status()).isEqualTo(201);
        assertThat(registry.putManifest(repo, "release-10", first).status()).isEqualTo(201);
        assertThat(registry.putManifest(repo, "release-10", second).status()).isEqualTo(201);

        // Deletes: the tag itself, or the manifest it points at.
        assertDenied(registry.call("DELETE", "/v2/" + repo + "/manifests/v1", null), "cannot be deleted");
        assertDenied(registry.call("DELETE", "/v2/" + repo + "/manifests/" + firstDigest, null),
                "deleting manifest " + firstDigest + " would remove it");
        assertDenied(registry.call("DELETE", "/v2/" + repo + "/manifests/" + secondDigest, null), "tag \"release-1\"");
        assertThat(registry.call("DELETE", "/v2/" + repo + "/manifests/latest", null).status()).isEqualTo(202);
        assertThat(registry.tags(repo)).containsExactly("release-1", "release-10", "v1", "v2");
        assertThat(registry.call("DELETE", "/v2/" + repo + "/manifests/v9", null).status())
                .as("an absent tag is unknown, not denied").isEqualTo(404);

        // Other namespaces are not bound by these rules.
        byte[] free = image("unlocked/app", "first");
        assertThat(registry.putManifest("unlocked/app", "v1", free).status()).isEqualTo(201);
        assertThat(registry.putManifest("unlocked/app", "v1", image("unlocked/app", "second")).status()).isEqualTo(201);
        assertThat(registry.call("DELETE", "/v2/unlocked/app/manifests/v1", null).status()).isEqualTo(202);

        // Lifting the rule lifts the protection.
        registry.ok("PUT", "/api/v1/registry/namespaces/locked/immutable-tags", "{\"patterns\":[]}");
        assertThat(registry.putManifest(repo, "v1", second).status()).isEqualTo(201);
        assertThat(registry.call("DELETE", "/v2/" + repo + "/manifests/" + firstDigest, null).status()).isEqualTo(202);
        assertThat(registry.tags(repo)).containsExactly("release-1", "release-10", "v1");
    }
}
