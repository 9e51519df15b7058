package dev.berth.conformance;

import static dev.berth.conformance.RegistryErrors.assertError;
import static dev.berth.conformance.RegistryErrors.assertHeadStatus;
import static dev.berth.conformance.RegistryHttp.header;
import static dev.berth.conformance.RegistryHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import dev.berth.conformance.TestContent.Blob;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Push, monolithic blobs: the upload session (end-4a), the single POST (end-4b), the closing PUT (end-6),
 * cross-repository mounts (end-11) and the ways a blob upload is refused.
 */
@ExtendWith(RegistryUnderTest.class)
class BlobUploadTest {

    private final RegistryHttp http;

    BlobUploadTest(RegistryAddress registry) {
        this.http = new RegistryHttp(registry);
    }

    @Test
    void postStartsASessionWith202LocationAndUploadUuid() {
        String repository = TestContent.uniqueRepository("push");

        HttpResponse<byte[]> response = http.post("/v2/" + repository + "/blobs/uploads/", new byte[0]);

        assertThat(response.statusCode()).isEqualTo(202);
        String uuid = header(response, "Docker-Upload-UUID");
        assertThat(uuid).isNotBlank();
        // The spec asks for a Location that carries the session's unique id.
        assertThat(header(response, "Location")).contains(uuid);
    }

    @Test
    void postThenPutStoresTheBlobAndAnswers201WithItsLocation() {
        String repository = TestContent.uniqueRepository("push");
        Blob blob = TestContent.layer(50_000);
        String location = http.startUpload(repository);

        HttpResponse<byte[]> put = http.put(withQuery(location, "digest=" + blob.digest()), blob.bytes(),
                "Content-Type", "application/octet-stream");

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "Docker-Content-Digest")).isEqualTo(blob.digest());
        HttpResponse<byte[]> pulled = http.get(header(put, "Location"));
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(blob.bytes());
    }

    @Test
    void singlePostWithDigestStoresTheBlobAndAnswers201() {
        String repository = TestContent.uniqueRepository("push");
        Blob blob = TestContent.layer(20_000);

        HttpResponse<byte[]> post = http.post("/v2/" + repository + "/blobs/uploads/?digest=" + blob.digest(),
                blob.bytes(), "Content-Type", "application/octet-stream");

        // The spec also lets a registry answer 202 and wait for a PUT; Berth supports the single request.
        assertThat(post.statusCode()).as("single POST status").isEqualTo(201);
        assertThat(header(post, "Docker-Content-Digest")).isEqualTo(blob.digest());
        HttpResponse<byte[]> pulled = http.get(header(post, "Location"));
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(blob.bytes());
    }

    @Test
    void putWithTheWrongDigestIs400DigestInvalidAndStoresNothing() {
        String repository = TestContent.uniqueRepository("push");
        Blob blob = TestContent.layer(4000);
        String claimed = TestContent.unknownDigest();
        String location = http.startUpload(repository);

        HttpResponse<byte[]> put = http.put(withQuery(location, "digest=" + claimed), blob.bytes(),
                "Content-Type", "application/octet-stream");

        assertError(put, 400, "DIGEST_INVALID");
        assertHeadStatus(http.head("/v2/" + repository + "/blobs/" + claimed), 404);
        assertHeadStatus(http.head("/v2/" + repository + "/blobs/" + blob.digest()), 404);
    }

    @Test
    void singlePostWithTheWrongDigestIs400DigestInvalidAndStoresNothing() {
        String repository = TestContent.uniqueRepository("push");
        Blob blob = TestContent.layer(4000);
        String claimed = TestContent.unknownDigest();

        HttpResponse<byte[]> post = http.post("/v2/" + repository + "/blobs/uploads/?digest=" + claimed,
                blob.bytes(), "Content-Type", "application/octet-stream");

        assertError(post, 400, "DIGEST_INVALID");
        assertHeadStatus(http.head("/v2/" + repository + "/blobs/" + claimed), 404);
        assertHeadStatus(http.head("/v2/" + repository + "/blobs/" + blob.digest()), 404);
    }

    @Test
    void putWithAMalformedDigestIs400DigestInvalid() {
        String repository = TestContent.uniqueRepository("push");
        String location = http.startUpload(repository);

        HttpResponse<byte[]> put = http.put(withQuery(location, "digest=sha256:not-hex"), new byte[] {1, 2, 3},
                "Content-Type", "application/octet-stream");

        assertError(put, 400, "DIGEST_INVALID");
    }

    @Test
    void uploadToAnInvalidRepositoryNameIs400NameInvalid() {
        HttpResponse<byte[]> post = http.post("/v2/conformance/Not_Valid-Name/blobs/uploads/", new byte[0]);

        assertError(post, 400, "NAME_INVALID");
    }

    @Test
    void mountFromARepositoryHoldingTheBlobAnswers201AndLinksIt() {
        String source = TestContent.uniqueRepository("mount");
        String target = TestContent.uniqueRepository("mount");
        Blob blob = TestContent.layer(12_345);
        http.pushBlob(source, blob);

        HttpResponse<byte[]> mount = http.post("/v2/" + target + "/blobs/uploads/?mount=" + blob.digest()
                + "&from=" + source, new byte[0]);

        assertThat(mount.statusCode()).isEqualTo(201);
        assertThat(header(mount, "Docker-Content-Digest")).isEqualTo(blob.digest());
        HttpResponse<byte[]> viaLocation = http.get(header(mount, "Location"));
        assertThat(viaLocation.statusCode()).isEqualTo(200);
        assertThat(viaLocation.body()).isEqualTo(blob.bytes());
        HttpResponse<byte[]> inTarget = http.get("/v2/" + target + "/blobs/" + blob.digest());
        assertThat(inTarget.statusCode()).isEqualTo(200);
        assertThat(inTarget.body()).isEqualTo(blob.bytes());
    }

    @Test
    void mountOfABlobTheSourceLacksFallsBackToAFreshSession() {
        String source = TestContent.uniqueRepository("mount");
        String target = TestContent.uniqueRepository("mount");
        http.pushBlob(source, TestContent.layer(10));
        Blob blob = TestContent.layer(2222);

        HttpResponse<byte[]> mount = http.post("/v2/" + target + "/blobs/uploads/?mount=" + blob.digest()
                + "&from=" + source, new byte[0]);

        assertThat(mount.statusCode()).isEqualTo(202);
        assertThat(header(mount, "Docker-Upload-UUID")).isNotBlank();
        assertHeadStatus(http.head("/v2/" + target + "/blobs/" + blob.digest()), 404);
        // The session it opened is an ordinary one: the client uploads the blob there instead.
        HttpResponse<byte[]> put = http.put(withQuery(header(mount, "Location"), "digest=" + blob.digest()),
                blob.bytes(), "Content-Type", "application/octet-stream");
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(http.get("/v2/" + target + "/blobs/" + blob.digest()).body()).isEqualTo(blob.bytes());
    }

    @Test
    void reuploadingAnExistingBlobSucceedsAndKeepsItsContent() {
        String repository = TestContent.uniqueRepository("push");
        Blob blob = TestContent.layer(777);
        http.pushBlob(repository, blob);

        http.pushBlob(repository, blob);

        HttpResponse<byte[]> pulled = http.get("/v2/" + repository + "/blobs/" + blob.digest());
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(blob.bytes());
    }
}
