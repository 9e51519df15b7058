package dev.berth.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.oci.Digest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Namespace quotas as a pushing client sees them: refusals, what counts, and usage that stays exact. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotaTest {

    private static final int MIB = 1024 * 1024;

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

    private void setQuota(String namespace, long limit) throws Exception {
        registry.ok("PUT", "/api/v1/registry/namespaces/" + namespace + "/quota", "{\"limitBytes\":" + limit + "}");
    }

    private static byte[] blob(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void concurrentPushesAtTheLimitAdmitExactlyWhatFits() throws Exception {
        setQuota("crowd", 10L * MIB);
        int pushes = 20;
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < pushes; i++) {
            blobs.add(blob(MIB, 1000 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(pushes + 1);
        List<Future<PolicyRegistry.Reply>> replies = new ArrayList<>();
        AtomicBoolean pushing = new AtomicBoolean(true);
        // What the quota API shows while the pushes race: never more than the limit.
        Future<Long> highest = pool.submit(() -> {
            long max = 0;
            while (pushing.get()) {
                max = Math.max(max, registry.used("crowd"));
            }
            return max;
        });
        try {
            for (int i = 0; i < pushes; i++) {
                byte[] content = blobs.get(i);
                String repository = "crowd/app" + (i % 3);
                // Half finish an upload session (PUT), half push in one request (POST ?digest=).
                Callable<PolicyRegistry.Reply> push = i % 2 == 0 ? () -> registry.pushBlobInSession(repository, content)
                        : () -> registry.pushBlob(repository, content);
                replies.add(pool.submit(push));
            }
            int accepted = 0;
            for (int i = 0; i < pushes; i++) {
                PolicyRegistry.Reply reply = replies.get(i).get();
                String path = "/v2/crowd/app" + (i % 3) + "/blobs/" + Digest.sha256(blobs.get(i));
                if (reply.status() == 201) {
                    accepted++;
                    assertThat(registry.get(path)).as("accepted blob %d pulls", i).isEqualTo(blobs.get(i));
                } else {
                    assertThat(reply.status()).as("push %d: %s", i, reply.body()).isEqualTo(403);
                    assertThat(reply.code()).isEqualTo("DENIED");
                    assertThat(reply.message()).startsWith("quota of namespace \"crowd\" exceeded: used ")
                            .endsWith("of " + 10L * MIB + " bytes, this push needs " + MIB);
                    assertThat(registry.call("HEAD", path, null).status()).as("refused blob %d is not linked", i)
                            .isEqualTo(404);
                }
            }
            assertThat(accepted).isEqualTo(10);
            pushing.set(false);
            assertThat(highest.get()).isLessThanOrEqualTo(10L * MIB);
        } finally {
            pushing.set(false);
            pool.shutdownNow();
        }
        assertThat(registry.used("crowd")).isEqualTo(10L * MIB);
        JsonObject recount = registry.ok("POST", "/api/v1/registry/namespaces/crowd/quota/recompute", null);
        assertThat(recount.getLong("usedBytes")).isEqualTo(10L * MIB);
        assertThat(recount.getLong("previousUsedBytes")).isEqualTo(10L * MIB);
    }

    @Test
    void aBlobSharedWithinANamespaceCountsOnceAndManifestsCountToo() throws Exception {
        byte[] layer = blob(1000, 1);
        byte[] config = "{\"os\":\"linux\",\"architecture\":\"arm64\"}".getBytes(StandardCharsets.UTF_8);
        String layerDigest = Digest.sha256(layer).toString();
        assertThat(registry.pushBlob("shared/a", layer).status()).isEqualTo(201);
        assertThat(registry.used("shared")).isEqualTo(1000);
        // The same bytes again, pushed into a second repository and mounted into a third: still 1000.
        assertThat(registry.pushBlob("shared/b", layer).status()).isEqualTo(201);
        assertThat(registry.mount("shared/c", "shared/a", layerDigest).status()).isEqualTo(201);
        assertThat(registry.used("shared")).isEqualTo(1000);
        // Another namespace pays for its own copy.
        assertThat(registry.mount("other/c", "shared/a", layerDigest).status()).isEqualTo(201);
        assertThat(registry.used("other")).isEqualTo(1000);

        assertThat(registry.pushBlob("shared/a", config).status()).isEqualTo(201);
        byte[] manifest = PolicyRegistry.manifest(config, List.of(layer));
        long afterBlobs = 1000 + config.length;
        assertThat(registry.used("shared")).isEqualTo(afterBlobs);

        // Exactly full but for one byte: the manifest does not fit, and nothing of it is stored.
        setQuota("shared", afterBlobs + manifest.length - 1);
        PolicyRegistry.Reply refused = registry.putManifest("shared/a", "v1", manifest);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("DENIED");
        assertThat(refused.message()).isEqualTo("quota of namespace \"shared\" exceeded: used " + afterBlobs + " of "
                + (afterBlobs + manifest.length - 1) + " bytes, this push needs " + manifest.length);
        assertThat(registry.call("GET", "/v2/shared/a/manifests/v1", null).status()).isEqualTo(404);
        assertThat(registry.call("GET", "/v2/shared/a/manifests/" + Digest.sha256(manifest), null).status()).isEqualTo(404);
        assertThat(registry.used("shared")).isEqualTo(afterBlobs);

        setQuota("shared", afterBlobs + manifest.length);
        assertThat(registry.putManifest("shared/a", "v1", manifest).status()).isEqualTo(201);
        assertThat(registry.used("shared")).isEqualTo(afterBlobs + manifest.length);
        // A full namespace still takes what it already holds: the same manifest under another tag or repository
        // costs no manifest bytes (per namespace, per digest), nor does re-linking a blob it has.
        assertThat(registry.putManifest("shared/a", "v2", manifest).status()).isEqualTo(201);
        assertThat(registry.pushBlob("shared/c", config).status()).isEqualTo(201);
        assertThat(registry.putManifest("shared/c", "v1", manifest).status()).isEqualTo(201);
        PolicyRegistry.Reply tooMuch = registry.pushBlob("shared/c", blob(10, 2));
        assertThat(tooMuch.status()).isEqualTo(403);
        assertThat(tooMuch.message()).contains("this push needs 10");

        // Deletes give bytes back once nothing in the namespace holds them any more.
        assertThat(registry.call("DELETE", "/v2/shared/a/manifests/" + Digest.sha256(manifest), null).status()).isEqualTo(202);
        assertThat(registry.used("shared")).isEqualTo(afterBlobs + manifest.length);
        assertThat(registry.call("DELETE", "/v2/shared/c/manifests/" + Digest.sha256(manifest), null).status()).isEqualTo(202);
        assertThat(registry.used("shared")).isEqualTo(afterBlobs);
        for (String repository : List.of("shared/a", "shared/b")) {
            assertThat(registry.call("DELETE", "/v2/" + repository + "/blobs/" + layerDigest, null).status()).isEqualTo(202);
            assertThat(registry.used("shared")).isEqualTo(afterBlobs);
        }
        assertThat(registry.call("DELETE", "/v2/shared/c/blobs/" + layerDigest, null).status()).isEqualTo(202);
        assertThat(registry.used("shared")).isEqualTo(config.length);
        assertThat(registry.used("other")).isEqualTo(1000);
    }

    @Test
    void aZeroQuotaRefusesEverythingAndRemovingItLiftsTheLimit() throws Exception {
        setQuota("frozen", 0);
        assertThat(registry.pushBlob("frozen/x", blob(1, 3)).code()).isEqualTo("DENIED");
        assertThat(registry.call("GET", "/v2/_catalog", null).body()).doesNotContain("frozen/x");
        assertThat(registry.call("DELETE", "/api/v1/registry/namespaces/frozen/quota", null).status()).isEqualTo(204);
        assertThat(registry.pushBlob("frozen/x", blob(1, 3)).status()).isEqualTo(201);
        JsonObject quota = registry.ok("GET", "/api/v1/registry/namespaces/frozen/quota", null);
        assertThat(quota.getValue("limitBytes")).isNull();
        assertThat(quota.getLong("usedBytes")).isEqualTo(1);
    }

    @Test
    void theCounterEqualsARecountAfterARandomWorkload() throws Exception {
        Random random = new Random(42);
        List<String> repositories = List.of("mix/a", "mix/b", "mix/c/d", "mixed/a", "mixed/b");
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            contents.add(blob(100 + random.nextInt(5000), 500 + i));
        }
        for (int step = 0; step < 150; step++) {
            String repository = repositories.get(random.nextInt(repositories.size()));
            byte[] content = contents.get(random.nextInt(contents.size()));
            String digest = Digest.sha256(content).toString();
            switch (random.nextInt(6)) {
                case 0, 1 -> registry.pushBlob(repository, content);
                case 2 -> registry.mount(repository, repositories.get(random.nextInt(repositories.size())), digest);
                case 3 -> registry.call("DELETE", "/v2/" + repository + "/blobs/" + digest, null);
                case 4 -> {
                    byte[] config = ("{\"os\":\"linux\",\"architecture\":\"amd64\",\"n\":" + random.nextInt(6) + "}")
                            .getBytes(StandardCharsets.UTF_8);
                    registry.pushBlob(repository, config);
                    registry.pushBlob(repository, content);
                    registry.putManifest(repository, "t" + random.nextInt(4), PolicyRegistry.manifest(config, List.of(content)));
                }
                default -> {
                    List<String> tags = registry.tags(repository);
                    if (!tags.isEmpty()) {
                        String tag = tags.get(random.nextInt(tags.size()));
                        String manifestDigest = registry.call("HEAD", "/v2/" + repository + "/manifests/" + tag, null)
                                .status() == 200 ? digestOf(repository, tag) : null;
                        if (manifestDigest != null) {
                            registry.call("DELETE", "/v2/" + repository + "/manifests/" + manifestDigest, null);
                        }
                    }
                }
            }
        }
        for (String namespace : List.of("mix", "mixed")) {
            long counter = registry.used(namespace);
            JsonObject recount = registry.ok("POST", "/api/v1/registry/namespaces/" + namespace + "/quota/recompute", null);
            assertThat(recount.getLong("previousUsedBytes")).as("counter of %s before the recount", namespace).isEqualTo(counter);
            assertThat(recount.getLong("usedBytes")).as("recount of %s", namespace).isEqualTo(counter);
            assertThat(counter).isPositive();
        }
    }

    private String digestOf(String repository, String tag) throws Exception {
        byte[] manifest = registry.get("/v2/" + repository + "/manifests/" + tag);
        return manifest == null ? null : Digest.sha256(manifest).toString();
    }
}
