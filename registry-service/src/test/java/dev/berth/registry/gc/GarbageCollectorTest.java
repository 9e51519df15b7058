package dev.berth.registry.gc;

import static dev.berth.registry.gc.GcRegistry.Blob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each collection rule on its own, pushing over HTTP and ageing rows with SQL instead of waiting.
 * Every test starts from an empty registry: collection is global.
 */
@ExtendWith(PostgresExtension.class)
class GarbageCollectorTest {

    private static Vertx vertx;
    private static GcRegistry registry;

    private final Blob shared = Blob.of("layer shared by a and b");
    private final Blob onlyA = Blob.of("layer only a has");
    private final Blob onlyB = Blob.of("layer only b has");
    private final Blob configA = Blob.of("{\"architecture\":\"amd64\",\"os\":\"linux\",\"image\":\"a\"}");
    private final Blob configB = Blob.of("{\"architecture\":\"amd64\",\"os\":\"linux\",\"image\":\"b\"}");

    @BeforeAll
    static void start(PostgresDatabase db, @TempDir Path storage) throws Exception {
        vertx = Vertx.vertx();
        registry = GcRegistry.start(vertx, db, storage, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @BeforeEach
    void empty() throws Exception {
        registry.sql("truncate repositories, blobs, uploads, gc_runs, namespace_usage cascade");
        Path blobs = registry.storage().resolve("blobs");
        if (Files.exists(blobs)) {
            try (Stream<Path> all = Files.walk(blobs)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void deletedImagesUniqueBlobsGoWhileSharedAndTaggedOnesStay() throws Exception {
        byte[] a = registry.pushImage("gc/app", "a", configA, List.of(shared, onlyA));
        registry.pushImage("gc/app", "b", configB, List.of(shared, onlyB));
        assertThat(registry.send("DELETE", "/v2/gc/app/manifests/" + Digest.sha256(a), null, null).statusCode())
                .isEqualTo(202);
        registry.ageEverything();

        GcReport expected = new GcReport(0, 0, 2, 2, onlyA.bytes().length + configA.bytes().length, 0, 0);
        assertThat(registry.estimate(false)).isEqualTo(expected);
        assertThat(registry.storedBytes(onlyA.digest())).isTrue();
        assertThat(registry.collect(false)).isEqualTo(expected);

        assertThat(registry.storedBytes(onlyA.digest())).isFalse();
        assertThat(registry.storedBytes(configA.digest())).isFalse();
        assertThat(registry.headBlob("gc/app", onlyA.digest())).isEqualTo(404);
        for (Blob kept : List.of(shared, onlyB, configB)) {
            registry.pullBlob("gc/app", kept.digest());
        }
        assertThat(registry.getManifest("gc/app", "b")).isEqualTo(200);
        assertThat(registry.collect(false)).isEqualTo(GcReport.EMPTY);
    }

    @Test
    void whatCollectionDeletesLeavesTheNamespaceQuotaUsage() throws Exception {
        byte[] a = registry.pushImage("gc/app", "a", configA, List.of(shared, onlyA));
        byte[] b = registry.pushImage("gc/app", "b", configB, List.of(shared, onlyB));
        registry.send("DELETE", "/v2/gc/app/manifests/" + Digest.sha256(a), null, null);
        registry.ageEverything();

        registry.collect(false);

        long kept = shared.bytes().length + onlyB.bytes().length + configB.bytes().length + b.length;
        assertThat(registry.count("select used_bytes from namespace_usage where namespace = 'gc'")).isEqualTo(kept);
        assertThat(registry.count("""
                select sum(size) from (
                    select distinct l.digest, b.size from repository_blobs l join blobs b on b.digest = l.digest
                    where split_part(l.repository, '/', 1) = 'gc'
                    union all
                    select distinct digest, size from manifests where split_part(repository, '/', 1) = 'gc') c"""))
                .isEqualTo(kept);
    }

    @Test
    void aBlobSharedWithAnotherRepositoryKeepsItsBytes() throws Exception {
        byte[] a = registry.pushImage("gc/one", "a", configA, List.of(shared));
        registry.pushImage("gc/two", "b", configB, List.of(shared));
        registry.send("DELETE", "/v2/gc/one/manifests/" + Digest.sha256(a), null, null);
        registry.ageEverything();

        GcReport report = registry.collect(false);

        assertThat(report.blobLinks()).isEqualTo(2);
        assertThat(report.blobs()).isEqualTo(1);
        assertThat(registry.headBlob("gc/one", shared.digest())).isEqualTo(404);
        registry.pullBlob("gc/two", shared.digest());
    }

    @Test
    void aBlobUploadedWithinTheGracePeriodSurvivesSoTheManifestPutAfterTheRunSucceeds() throws Exception {
        assertThat(registry.upload("gc/race", onlyA)).isEqualTo(201);
        assertThat(registry.upload("gc/race", configA)).isEqualTo(201);

        assertThat(registry.collect(true)).isEqualTo(GcReport.EMPTY);

        byte[] manifest = GcRegistry.imageManifest(configA, List.of(onlyA), null);
        assertThat(registry.putManifest("gc/race", "v1", MediaTypes.OCI_MANIFEST, manifest).statusCode()).isEqualTo(201);
        registry.pullBlob("gc/race", onlyA.digest());
    }

    @Test
    void aLinkUnusedPastTheGracePeriodGoesAndAManifestNamingItIsRefused() throws Exception {
        registry.upload("gc/late", onlyA);
        registry.upload("gc/late", configA);
        registry.ageEverything();

        assertThat(registry.collect(false).blobs()).isEqualTo(2);

        byte[] manifest = GcRegistry.imageManifest(configA, List.of(onlyA), null);
        var refused = registry.putManifest("gc/late", "v1", MediaTypes.OCI_MANIFEST, manifest);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(new String(refused.body())).contains("MANIFEST_BLOB_UNKNOWN");
        assertThat(registry.count("select count(*) from manifests")).isZero();
    }

    @Test
    void aHeadRestartsTheGracePeriodOfALink() throws Exception {
        registry.upload("gc/head", onlyA);
        registry.ageEverything();
        assertThat(registry.headBlob("gc/head", onlyA.digest())).isEqualTo(200);

        assertThat(registry.collect(false)).isEqualTo(GcReport.EMPTY);
        registry.pullBlob("gc/head", onlyA.digest());
    }

    @Test
    void untaggedManifestsStayByDefaultAndGoWhenEnabled() throws Exception {
        byte[] first = registry.pushImage("gc/retag", "latest", configA, List.of(onlyA));
        registry.pushImage("gc/retag", "latest", configB, List.of(onlyB));
        registry.ageEverything();

        assertThat(registry.collect(false)).isEqualTo(GcReport.EMPTY);
        assertThat(registry.getManifest("gc/retag", Digest.sha256(first).toString())).isEqualTo(200);

        GcReport expected = new GcReport(1, first.length, 2, 2, onlyA.bytes().length + configA.bytes().length, 0, 0);
        assertThat(registry.estimate(true)).isEqualTo(expected);
        assertThat(registry.collect(true)).isEqualTo(expected);
        assertThat(registry.getManifest("gc/retag", Digest.sha256(first).toString())).isEqualTo(404);
        assertThat(registry.storedBytes(onlyA.digest())).isFalse();
        registry.pullBlob("gc/retag", onlyB.digest());
    }

    @Test
    void aTaggedIndexKeepsItsUntaggedChildrenAndTakesThemAlongWhenUntagged() throws Exception {
        byte[] amd = registry.pushImage("gc/multi", Digest.sha256(GcRegistry.imageManifest(configA, List.of(onlyA), null))
                .toString(), configA, List.of(onlyA));
        byte[] arm = registry.pushImage("gc/multi", Digest.sha256(GcRegistry.imageManifest(configB, List.of(onlyB), null))
                .toString(), configB, List.of(onlyB));
        byte[] index = GcRegistry.index(List.of(amd, arm));
        assertThat(registry.putManifest("gc/multi", "v1", MediaTypes.OCI_INDEX, index).statusCode()).isEqualTo(201);
        registry.ageEverything();

        assertThat(registry.collect(true)).isEqualTo(GcReport.EMPTY);
        assertThat(registry.getManifest("gc/multi", Digest.sha256(amd).toString())).isEqualTo(200);

        assertThat(registry.send("DELETE", "/v2/gc/multi/manifests/v1", null, null).statusCode()).isEqualTo(202);
        GcReport estimate = registry.estimate(true);
        assertThat(estimate.manifests()).isEqualTo(3);
        assertThat(estimate.blobs()).isEqualTo(4);
        assertThat(registry.collect(true)).isEqualTo(estimate);
        assertThat(registry.count("select count(*) from manifests")).isZero();
        assertThat(registry.count("select count(*) from blobs")).isZero();
    }

    @Test
    void referrersStayWithTheirSubjectAndGoWithIt() throws Exception {
        byte[] subject = registry.pushImage("gc/signed", "v1", configA, List.of(onlyA));
        Blob signature = Blob.of("a signature");
        Blob emptyConfig = Blob.of("{}");
        registry.upload("gc/signed", signature);
        registry.upload("gc/signed", emptyConfig);
        byte[] referrer = GcRegistry.imageManifest(emptyConfig, List.of(signature), Digest.sha256(subject));
        assertThat(registry.putManifest("gc/signed", Digest.sha256(referrer).toString(), MediaTypes.OCI_MANIFEST, referrer)
                .statusCode()).isEqualTo(201);
        registry.ageEverything();

        assertThat(registry.collect(true)).isEqualTo(GcReport.EMPTY);

        registry.send("DELETE", "/v2/gc/signed/manifests/v1", null, null);
        assertThat(registry.estimate(true).manifests()).isEqualTo(2);
        GcReport report = registry.collect(true);
        assertThat(report.manifests()).isEqualTo(2);
        assertThat(report.blobs()).isEqualTo(4);
        assertThat(registry.getManifest("gc/signed", Digest.sha256(referrer).toString())).isEqualTo(404);
    }

    @Test
    void abandonedUploadsArePurgedWithTheirBytesAndFreshOnesStay() throws Exception {
        String old = registry.send("POST", "/v2/gc/uploads/blobs/uploads/", null, null).headers()
                .firstValue("Location").orElseThrow();
        assertThat(registry.send("PATCH", old, "application/octet-stream", new byte[1000]).statusCode()).isEqualTo(202);
        String fresh = registry.send("POST", "/v2/gc/uploads/blobs/uploads/", null, null).headers()
                .firstValue("Location").orElseThrow();
        String oldId = old.substring(old.lastIndexOf('/') + 1);
        registry.sql("update uploads set updated_at = now() - interval '25 hours' where id = '" + oldId + "'");
        assertThat(registry.storage().resolve("uploads/" + oldId)).exists();

        GcReport expected = new GcReport(0, 0, 0, 0, 0, 1, 1000);
        assertThat(registry.estimate(false)).isEqualTo(expected);
        assertThat(registry.collect(false)).isEqualTo(expected);

        assertThat(registry.send("GET", old, null, null).statusCode()).isEqualTo(404);
        assertThat(registry.storage().resolve("uploads/" + oldId)).doesNotExist();
        assertThat(registry.send("GET", fresh, null, null).statusCode()).isEqualTo(204);
    }

    @Test
    void aBlobRowWhoseBytesAnInterruptedRunAlreadyDeletedIsCollectedAgain() throws Exception {
        registry.upload("gc/crash", onlyA);
        registry.ageEverything();
        registry.sql("delete from repository_blobs");
        Files.delete(registry.storage().resolve("blobs/sha256/" + onlyA.digest().hex().substring(0, 2) + "/"
                + onlyA.digest().hex()));

        assertThat(registry.collect(false).blobs()).isEqualTo(1);
        assertThat(registry.count("select count(*) from blobs")).isZero();
    }
}
