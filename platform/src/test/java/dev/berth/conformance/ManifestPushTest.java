package dev.berth.conformance;

import static dev.berth.conformance.RegistryErrors.assertError;
import static dev.berth.conformance.RegistryErrors.assertHeadStatus;
import static dev.berth.conformance.RegistryHttp.header;
import static dev.berth.conformance.RegistryHttp.headerValues;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import dev.berth.conformance.TestContent.Blob;
import dev.berth.conformance.TestContent.Image;
import dev.berth.conformance.TestContent.Manifest;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Push, manifests (end-7): by tag, by digest, with {@code ?tag=}, and every way a manifest is refused. */
@ExtendWith(RegistryUnderTest.class)
class ManifestPushTest {

    /** The size every registry is expected to accept; Berth refuses anything larger. */
    private static final int MANIFEST_LIMIT = 4 * 1024 * 1024;

    private final RegistryHttp http;

    ManifestPushTest(RegistryAddress registry) {
        this.http = new RegistryHttp(registry);
    }

    private Image pushBlobsOf(String repository, Image image) {
        image.blobs().forEach(blob -> http.pushBlob(repository, blob));
        return image;
    }

    private HttpResponse<byte[]> putManifest(String repository, String reference, Manifest manifest) {
        return http.put("/v2/" + repository + "/manifests/" + reference, manifest.bytes(),
                "Content-Type", manifest.mediaType());
    }

    /** Asserts nothing answers for the manifest: neither the tag nor its digest. */
    private void assertManifestAbsent(String repository, String tag, Manifest manifest) {
        assertHeadStatus(http.headManifest(repository, tag), 404);
        assertHeadStatus(http.headManifest(repository, manifest.digest()), 404);
    }

    @Test
    void putByTagAnswers201WithLocationAndDigest() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest manifest = pushBlobsOf(repository, TestContent.ociImage()).manifest();

        HttpResponse<byte[]> put = putManifest(repository, "v1.0", manifest);

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "Docker-Content-Digest")).isEqualTo(manifest.digest());
        HttpResponse<byte[]> viaLocation = http.get(header(put, "Location"),
                "Accept", RegistryHttp.ACCEPT_ALL_MANIFESTS);
        assertThat(viaLocation.statusCode()).isEqualTo(200);
        assertThat(viaLocation.body()).isEqualTo(manifest.bytes());
    }

    @Test
    void putByDigestAnswers201WithLocationAndDigest() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest manifest = pushBlobsOf(repository, TestContent.ociImage()).manifest();

        HttpResponse<byte[]> put = putManifest(repository, manifest.digest(), manifest);

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "Docker-Content-Digest")).isEqualTo(manifest.digest());
        HttpResponse<byte[]> viaLocation = http.get(header(put, "Location"),
                "Accept", RegistryHttp.ACCEPT_ALL_MANIFESTS);
        assertThat(viaLocation.statusCode()).isEqualTo(200);
        assertThat(viaLocation.body()).isEqualTo(manifest.bytes());
    }

    @Test
    void putByDigestWithTagParametersAnswersOciTagAndCreatesEveryTag() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest manifest = pushBlobsOf(repository, TestContent.ociImage()).manifest();
        // The spec (tag query parameters): a registry supporting them SHOULD take at least 10 in one request.
        List<String> tags = List.of("1.2.3", "1.2", "1", "latest", "stable", "v1", "v1.2", "v1.2.3", "prod", "edge");
        String query = String.join("&", tags.stream().map(tag -> "tag=" + tag).toList());

        HttpResponse<byte[]> put = putManifest(repository, manifest.digest() + "?" + query, manifest);

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "Docker-Content-Digest")).isEqualTo(manifest.digest());
        assertThat(headerValues(put, "OCI-Tag")).containsExactlyInAnyOrderElementsOf(tags);
        for (String tag : tags) {
            HttpResponse<byte[]> pulled = http.getManifest(repository, tag);
            assertThat(pulled.statusCode()).as("GET tag %s", tag).isEqualTo(200);
            assertThat(header(pulled, "Docker-Content-Digest")).isEqualTo(manifest.digest());
        }
    }

    @Test
    void pushingAnotherManifestToATagMovesTheTag() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest first = pushBlobsOf(repository, TestContent.ociImage()).manifest();
        Manifest second = pushBlobsOf(repository, TestContent.ociImage()).manifest();
        http.pushManifest(repository, "latest", first);

        http.pushManifest(repository, "latest", second);

        assertThat(http.getManifest(repository, "latest").body()).isEqualTo(second.bytes());
        // The earlier manifest stays reachable by digest.
        assertThat(http.getManifest(repository, first.digest()).body()).isEqualTo(first.bytes());
    }

    @Test
    void missingConfigIs400ManifestBlobUnknownAndStoresNothing() {
        String repository = TestContent.uniqueRepository("manifest");
        Image image = TestContent.ociImage();
        image.blobs().subList(1, image.blobs().size()).forEach(layer -> http.pushBlob(repository, layer));

        assertError(putManifest(repository, "v1", image.manifest()), 400, "MANIFEST_BLOB_UNKNOWN");
        assertManifestAbsent(repository, "v1", image.manifest());
    }

    @Test
    void missingLayerIs400ManifestBlobUnknownAndStoresNothing() {
        String repository = TestContent.uniqueRepository("manifest");
        Image image = TestContent.ociImage();
        http.pushBlob(repository, image.blobs().get(0));
        http.pushBlob(repository, image.blobs().get(1));

        assertError(putManifest(repository, "v1", image.manifest()), 400, "MANIFEST_BLOB_UNKNOWN");
        assertManifestAbsent(repository, "v1", image.manifest());
    }

    @Test
    void indexWithAMissingChildIs400ManifestBlobUnknownAndStoresNothing() {
        String repository = TestContent.uniqueRepository("manifest");
        Image present = pushBlobsOf(repository, TestContent.ociImage());
        http.pushManifest(repository, present.manifest().digest(), present.manifest());
        Manifest absent = TestContent.ociImage().manifest();
        Manifest index = TestContent.ociIndex(List.of(present.manifest(), absent));

        // The spec: a manifest refused for a missing referenced manifest or blob gets MANIFEST_BLOB_UNKNOWN.
        assertError(putManifest(repository, "multi", index), 400, "MANIFEST_BLOB_UNKNOWN");
        assertManifestAbsent(repository, "multi", index);
    }

    @Test
    void malformedJsonIs400ManifestInvalidAndStoresNothing() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest broken = TestContent.manifest("{\"schemaVersion\": 2, \"mediaType\": ", TestContent.OCI_MANIFEST);

        assertError(putManifest(repository, "broken", broken), 400, "MANIFEST_INVALID");
        assertManifestAbsent(repository, "broken", broken);
    }

    @Test
    void manifestWithoutItsRequiredFieldsIs400ManifestInvalid() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest noConfig = TestContent.manifest(new JsonObject().put("schemaVersion", 2)
                .put("mediaType", TestContent.OCI_MANIFEST).put("layers", "not an array"), TestContent.OCI_MANIFEST);

        assertError(putManifest(repository, "odd", noConfig), 400, "MANIFEST_INVALID");
        assertManifestAbsent(repository, "odd", noConfig);
    }

    @Test
    void digestInTheUrlNotMatchingTheBodyIs400DigestInvalidAndStoresNothing() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest manifest = pushBlobsOf(repository, TestContent.ociImage()).manifest();
        String claimed = TestContent.unknownDigest();

        assertError(putManifest(repository, claimed, manifest), 400, "DIGEST_INVALID");
        assertHeadStatus(http.headManifest(repository, claimed), 404);
        assertHeadStatus(http.headManifest(repository, manifest.digest()), 404);
    }

    @Test
    void manifestOfExactlyTheLimitIsAccepted() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest manifest = paddedManifest(repository, MANIFEST_LIMIT);

        HttpResponse<byte[]> put = putManifest(repository, "big", manifest);

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(http.getManifest(repository, "big").body()).isEqualTo(manifest.bytes());
    }

    @Test
    void manifestOverTheLimitIs413AndStoresNothing() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest manifest = paddedManifest(repository, MANIFEST_LIMIT + 1);

        HttpResponse<byte[]> put = putManifest(repository, "huge", manifest);

        assertThat(put.statusCode()).isEqualTo(413);
        assertManifestAbsent(repository, "huge", manifest);
    }

    /** A valid image manifest padded with an annotation to exactly {@code size} bytes. */
    private Manifest paddedManifest(String repository, int size) {
        Blob config = TestContent.config(TestContent.OCI_CONFIG);
        http.pushBlob(repository, config);
        JsonObject json = TestContent.ociManifestJson(config, List.of())
                .put("annotations", new JsonObject().put("padding", ""));
        int withoutPadding = TestContent.manifest(json, TestContent.OCI_MANIFEST).size();
        json.getJsonObject("annotations").put("padding", "x".repeat(size - withoutPadding));
        Manifest manifest = TestContent.manifest(json, TestContent.OCI_MANIFEST);
        assertThat(manifest.size()).isEqualTo(size);
        return manifest;
    }

    @Test
    void invalidRepositoryNameIs400NameInvalid() {
        Manifest manifest = TestContent.ociImage().manifest();

        assertError(putManifest("conformance/Upper_Case", "v1", manifest), 400, "NAME_INVALID");
        assertError(putManifest("conformance/trailing-", "v1", manifest), 400, "NAME_INVALID");
    }

    @Test
    void invalidTagIs400AndStoresNothing() {
        String repository = TestContent.uniqueRepository("manifest");
        Manifest manifest = pushBlobsOf(repository, TestContent.ociImage()).manifest();
        String tooLong = "t".repeat(129);

        // The spec's code table has no tag-specific code (MANIFEST_INVALID fits); TAG_INVALID is the legacy
        // Docker code it explicitly allows registries to send.
        for (String tag : List.of(".starts-with-dot", "-starts-with-dash", tooLong)) {
            assertError(putManifest(repository, tag, manifest), 400, "MANIFEST_INVALID", "TAG_INVALID");
        }
        assertHeadStatus(http.headManifest(repository, manifest.digest()), 404);
    }
}
