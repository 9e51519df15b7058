package dev.berth.conformance;

import static dev.berth.conformance.RegistryErrors.assertError;
import static dev.berth.conformance.RegistryErrors.assertHeadStatus;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import dev.berth.conformance.TestContent.Blob;
import dev.berth.conformance.TestContent.Image;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Content management: deleting tags and manifests (end-9) and blobs (end-10). */
@ExtendWith(RegistryUnderTest.class)
class ManagementTest {

    private final RegistryHttp http;

    ManagementTest(RegistryAddress registry) {
        this.http = new RegistryHttp(registry);
    }

    private List<String> tags(String repository) {
        HttpResponse<byte[]> response = http.get("/v2/" + repository + "/tags/list");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject body = new JsonObject(RegistryHttp.bodyText(response));
        return body.getJsonArray("tags") == null ? List.of()
                : body.getJsonArray("tags").stream().map(String.class::cast).toList();
    }

    @Test
    void deletingATagAnswers202AndLeavesTheManifest() {
        String repository = TestContent.uniqueRepository("delete");
        Image image = TestContent.ociImage();
        http.pushImage(repository, "doomed", image);
        http.pushManifest(repository, "kept", image.manifest());

        HttpResponse<byte[]> deleted = http.delete("/v2/" + repository + "/manifests/doomed");

        assertThat(deleted.statusCode()).isEqualTo(202);
        assertError(http.getManifest(repository, "doomed"), 404, "MANIFEST_UNKNOWN");
        assertThat(tags(repository)).containsExactly("kept");
        HttpResponse<byte[]> byDigest = http.getManifest(repository, image.manifest().digest());
        assertThat(byDigest.statusCode()).isEqualTo(200);
        assertThat(byDigest.body()).isEqualTo(image.manifest().bytes());
    }

    @Test
    void deletingAManifestAnswers202AndRemovesItAndItsTags() {
        String repository = TestContent.uniqueRepository("delete");
        Image doomed = TestContent.ociImage();
        Image kept = TestContent.ociImage();
        http.pushImage(repository, "one", doomed);
        http.pushManifest(repository, "two", doomed.manifest());
        http.pushImage(repository, "other", kept);

        HttpResponse<byte[]> deleted = http.delete("/v2/" + repository + "/manifests/" + doomed.manifest().digest());

        assertThat(deleted.statusCode()).isEqualTo(202);
        assertError(http.getManifest(repository, doomed.manifest().digest()), 404, "MANIFEST_UNKNOWN");
        assertHeadStatus(http.headManifest(repository, doomed.manifest().digest()), 404);
        assertError(http.getManifest(repository, "one"), 404, "MANIFEST_UNKNOWN");
        assertError(http.getManifest(repository, "two"), 404, "MANIFEST_UNKNOWN");
        assertThat(tags(repository)).containsExactly("other");
        assertThat(http.getManifest(repository, "other").body()).isEqualTo(kept.manifest().bytes());
    }

    @Test
    void deletingAnUnknownManifestIs404ManifestUnknown() {
        String repository = TestContent.uniqueRepository("delete");
        http.pushImage(repository, "v1", TestContent.ociImage());

        assertError(http.delete("/v2/" + repository + "/manifests/" + TestContent.unknownDigest()),
                404, "MANIFEST_UNKNOWN");
    }

    @Test
    void deletingAManifestInAnUnknownRepositoryIs404() {
        String repository = TestContent.uniqueRepository("delete");

        // The spec names no code for a missing repository; both describe it.
        assertError(http.delete("/v2/" + repository + "/manifests/" + TestContent.unknownDigest()),
                404, "NAME_UNKNOWN", "MANIFEST_UNKNOWN");
    }

    @Test
    void deletingABlobAnswers202AndRemovesIt() {
        String repository = TestContent.uniqueRepository("delete");
        Blob blob = TestContent.layer(4096);
        http.pushBlob(repository, blob);

        HttpResponse<byte[]> deleted = http.delete("/v2/" + repository + "/blobs/" + blob.digest());

        assertThat(deleted.statusCode()).isEqualTo(202);
        assertError(http.get("/v2/" + repository + "/blobs/" + blob.digest()), 404, "BLOB_UNKNOWN");
        assertHeadStatus(http.head("/v2/" + repository + "/blobs/" + blob.digest()), 404);
    }

    @Test
    void deletingABlobInOneRepositoryLeavesItInAnother() {
        String repository = TestContent.uniqueRepository("delete");
        String other = TestContent.uniqueRepository("delete");
        Blob blob = TestContent.layer(999);
        http.pushBlob(repository, blob);
        http.pushBlob(other, blob);

        assertThat(http.delete("/v2/" + repository + "/blobs/" + blob.digest()).statusCode()).isEqualTo(202);

        HttpResponse<byte[]> stillThere = http.get("/v2/" + other + "/blobs/" + blob.digest());
        assertThat(stillThere.statusCode()).isEqualTo(200);
        assertThat(stillThere.body()).isEqualTo(blob.bytes());
    }

    @Test
    void deletingAnUnknownBlobIs404BlobUnknown() {
        String repository = TestContent.uniqueRepository("delete");
        http.pushBlob(repository, TestContent.layer(10));

        assertError(http.delete("/v2/" + repository + "/blobs/" + TestContent.unknownDigest()), 404, "BLOB_UNKNOWN");
    }
}
