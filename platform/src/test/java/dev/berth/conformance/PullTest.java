package dev.berth.conformance;

import static dev.berth.conformance.RegistryErrors.assertError;
import static dev.berth.conformance.RegistryErrors.assertHeadStatus;
import static dev.berth.conformance.RegistryHttp.header;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;

import dev.berth.conformance.TestContent.Blob;
import dev.berth.conformance.TestContent.Image;
import dev.berth.conformance.TestContent.Manifest;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Pull: the version check (end-1), blobs (end-2) and manifests (end-3). */
@ExtendWith(RegistryUnderTest.class)
class PullTest {

    private final RegistryHttp http;

    PullTest(RegistryAddress registry) {
        this.http = new RegistryHttp(registry);
    }

    @Test
    void versionCheckAnswers200WithTheApiVersionHeader() {
        HttpResponse<byte[]> response = http.get("/v2/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
    }

    @Test
    void blobGetReturnsTheExactBytesWithDigestLengthAndType() {
        String repository = TestContent.uniqueRepository("pull");
        Blob blob = TestContent.layer(70_000);
        http.pushBlob(repository, blob);

        HttpResponse<byte[]> response = http.get("/v2/" + repository + "/blobs/" + blob.digest());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(blob.bytes());
        assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(blob.size()));
        assertThat(header(response, "Docker-Content-Digest")).isEqualTo(blob.digest());
        assertThat(header(response, "Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void blobHeadReturnsTheHeadersWithoutABody() {
        String repository = TestContent.uniqueRepository("pull");
        Blob blob = TestContent.layer(5000);
        http.pushBlob(repository, blob);

        HttpResponse<byte[]> response = http.head("/v2/" + repository + "/blobs/" + blob.digest());

        assertHeadStatus(response, 200);
        assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(blob.size()));
        assertThat(header(response, "Docker-Content-Digest")).isEqualTo(blob.digest());
        assertThat(header(response, "Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void blobRangeRequestsReturnThePartWith206AndContentRange() {
        String repository = TestContent.uniqueRepository("pull");
        Blob blob = TestContent.layer(10_000);
        http.pushBlob(repository, blob);
        String path = "/v2/" + repository + "/blobs/" + blob.digest();

        HttpResponse<byte[]> middle = http.get(path, "Range", "bytes=100-1099");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(header(middle, "Content-Range")).isEqualTo("bytes 100-1099/10000");
        assertThat(header(middle, "Content-Length")).isEqualTo("1000");
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(blob.bytes(), 100, 1100));

        // The open-ended form is what a client resuming an interrupted pull sends.
        HttpResponse<byte[]> rest = http.get(path, "Range", "bytes=9000-");
        assertThat(rest.statusCode()).isEqualTo(206);
        assertThat(header(rest, "Content-Range")).isEqualTo("bytes 9000-9999/10000");
        assertThat(rest.body()).isEqualTo(Arrays.copyOfRange(blob.bytes(), 9000, 10_000));
    }

    @Test
    void blobRangeStartingPastTheEndIs416() {
        String repository = TestContent.uniqueRepository("pull");
        Blob blob = TestContent.layer(100);
        http.pushBlob(repository, blob);

        HttpResponse<byte[]> response = http.get("/v2/" + repository + "/blobs/" + blob.digest(),
                "Range", "bytes=100-");

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes */100");
    }

    @Test
    void unknownBlobIs404BlobUnknown() {
        String repository = TestContent.uniqueRepository("pull");
        http.pushBlob(repository, TestContent.layer(10));
        String path = "/v2/" + repository + "/blobs/" + TestContent.unknownDigest();

        assertError(http.get(path), 404, "BLOB_UNKNOWN");
        assertHeadStatus(http.head(path), 404);
    }

    @Test
    void blobPushedToAnotherRepositoryIsNotVisible() {
        String owner = TestContent.uniqueRepository("pull");
        String other = TestContent.uniqueRepository("pull");
        Blob blob = TestContent.layer(300);
        http.pushBlob(owner, blob);
        http.pushBlob(other, TestContent.layer(10));

        assertError(http.get("/v2/" + other + "/blobs/" + blob.digest()), 404, "BLOB_UNKNOWN");
        assertHeadStatus(http.head("/v2/" + other + "/blobs/" + blob.digest()), 404);
    }

    /** The four manifest formats clients push; each is pulled back unchanged. */
    enum ManifestKind {
        OCI_IMAGE, OCI_INDEX, DOCKER_IMAGE, DOCKER_MANIFEST_LIST;

        Manifest push(RegistryHttp http, String repository, String tag) {
            Manifest manifest = switch (this) {
                case OCI_IMAGE -> pushChild(http, repository, TestContent.ociImage());
                case DOCKER_IMAGE -> pushChild(http, repository, TestContent.dockerImage());
                case OCI_INDEX -> TestContent.ociIndex(List.of(
                        pushChild(http, repository, TestContent.ociImage()),
                        pushChild(http, repository, TestContent.ociImage())));
                case DOCKER_MANIFEST_LIST -> TestContent.dockerManifestList(List.of(
                        pushChild(http, repository, TestContent.dockerImage()),
                        pushChild(http, repository, TestContent.dockerImage())));
            };
            http.pushManifest(repository, tag, manifest);
            return manifest;
        }

        private static Manifest pushChild(RegistryHttp http, String repository, Image image) {
            image.blobs().forEach(blob -> http.pushBlob(repository, blob));
            http.pushManifest(repository, image.manifest().digest(), image.manifest());
            return image.manifest();
        }
    }

    @ParameterizedTest
    @EnumSource(ManifestKind.class)
    void manifestPullsByTagAndDigestWithTheExactBytesAndPushedType(ManifestKind kind) {
        String repository = TestContent.uniqueRepository("pull");
        Manifest manifest = kind.push(http, repository, "v1");

        for (String reference : List.of("v1", manifest.digest())) {
            HttpResponse<byte[]> get = http.getManifest(repository, reference);
            assertThat(get.statusCode()).as("GET %s", reference).isEqualTo(200);
            assertThat(get.body()).as("GET %s body", reference).isEqualTo(manifest.bytes());
            assertManifestHeaders(get, manifest);

            HttpResponse<byte[]> head = http.headManifest(repository, reference);
            assertHeadStatus(head, 200);
            assertManifestHeaders(head, manifest);
        }
    }

    private static void assertManifestHeaders(HttpResponse<byte[]> response, Manifest manifest) {
        assertThat(header(response, "Content-Type")).isEqualTo(manifest.mediaType());
        assertThat(header(response, "Docker-Content-Digest")).isEqualTo(manifest.digest());
        assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(manifest.size()));
    }

    @Test
    void unknownManifestIs404ManifestUnknownByTagAndByDigest() {
        String repository = TestContent.uniqueRepository("pull");
        ManifestKind.OCI_IMAGE.push(http, repository, "present");

        for (String reference : List.of("absent", TestContent.unknownDigest())) {
            assertError(http.getManifest(repository, reference), 404, "MANIFEST_UNKNOWN");
            assertHeadStatus(http.headManifest(repository, reference), 404);
        }
    }

    @Test
    void manifestPushedToAnotherRepositoryIsNotVisible() {
        String owner = TestContent.uniqueRepository("pull");
        String other = TestContent.uniqueRepository("pull");
        Manifest manifest = ManifestKind.OCI_IMAGE.push(http, owner, "v1");
        ManifestKind.OCI_IMAGE.push(http, other, "v1");

        assertError(http.getManifest(other, manifest.digest()), 404, "MANIFEST_UNKNOWN");
        assertHeadStatus(http.headManifest(other, manifest.digest()), 404);
    }

    @Test
    void blobOfAnUnknownRepositoryIs404() {
        String repository = TestContent.uniqueRepository("pull");

        assertError(http.get("/v2/" + repository + "/blobs/" + TestContent.unknownDigest()),
                404, "BLOB_UNKNOWN", "NAME_UNKNOWN");
    }

    @Test
    void manifestOfAnUnknownRepositoryIs404() {
        String repository = TestContent.uniqueRepository("pull");

        // The spec gives no code for a missing repository here; both names describe the situation.
        assertError(http.getManifest(repository, "latest"), 404, "MANIFEST_UNKNOWN", "NAME_UNKNOWN");
    }
}
