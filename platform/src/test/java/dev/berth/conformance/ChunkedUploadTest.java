package dev.berth.conformance;

import static dev.berth.conformance.RegistryErrors.assertError;
import static dev.berth.conformance.RegistryErrors.assertHeadStatus;
import static dev.berth.conformance.RegistryHttp.header;
import static dev.berth.conformance.RegistryHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.UUID;

import dev.berth.conformance.TestContent.Blob;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Push, chunked blobs: PATCH (end-5), the closing PUT with the last chunk (end-6), the session status
 * (end-13) and cancelling a session. Each step follows the Location of the previous answer, as the
 * spec tells clients to: a registry may put state into it.
 */
@ExtendWith(RegistryUnderTest.class)
class ChunkedUploadTest {

    private static final String OCTET_STREAM = "application/octet-stream";

    private final RegistryHttp http;

    ChunkedUploadTest(RegistryAddress registry) {
        this.http = new RegistryHttp(registry);
    }

    private HttpResponse<byte[]> patchChunk(String location, byte[] blob, int from, int to) {
        return http.patch(location, BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, from, to)),
                "Content-Type", OCTET_STREAM, "Content-Range", from + "-" + (to - 1));
    }

    /** A PATCH without Content-Length or Content-Range, streamed with chunked transfer coding like docker. */
    private HttpResponse<byte[]> patchStreamed(String location, byte[] bytes) {
        return http.patch(location, BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)),
                "Content-Type", OCTET_STREAM);
    }

    private static void assertAccepted(HttpResponse<byte[]> response, int bytesSoFar) {
        assertThat(response.statusCode()).as("PATCH status (body: %s)", RegistryHttp.bodyText(response))
                .isEqualTo(202);
        assertThat(header(response, "Location")).isNotBlank();
        assertThat(header(response, "Range")).isEqualTo("0-" + (bytesSoFar - 1));
    }

    @Test
    void chunksInOrderThenAClosingPutWithTheLastChunkStoreTheBlob() {
        String repository = TestContent.uniqueRepository("chunked");
        Blob blob = TestContent.layer(30_000);
        byte[] bytes = blob.bytes();
        String location = http.startUpload(repository);

        HttpResponse<byte[]> first = patchChunk(location, bytes, 0, 10_000);
        assertAccepted(first, 10_000);
        HttpResponse<byte[]> second = patchChunk(header(first, "Location"), bytes, 10_000, 20_000);
        assertAccepted(second, 20_000);

        HttpResponse<byte[]> status = http.get(header(second, "Location"));
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(header(status, "Range")).isEqualTo("0-19999");
        String current = header(status, "Location");

        HttpResponse<byte[]> closed = http.put(withQuery(current, "digest=" + blob.digest()),
                Arrays.copyOfRange(bytes, 20_000, 30_000),
                "Content-Type", OCTET_STREAM, "Content-Range", "20000-29999");
        assertThat(closed.statusCode()).as("closing PUT (body: %s)", RegistryHttp.bodyText(closed)).isEqualTo(201);
        assertThat(header(closed, "Docker-Content-Digest")).isEqualTo(blob.digest());
        HttpResponse<byte[]> pulled = http.get(header(closed, "Location"));
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(bytes);
    }

    @Test
    void chunkThatSkipsAheadIs416AndTheSessionKeepsItsOffset() {
        String repository = TestContent.uniqueRepository("chunked");
        Blob blob = TestContent.layer(3000);
        byte[] bytes = blob.bytes();
        HttpResponse<byte[]> first = patchChunk(http.startUpload(repository), bytes, 0, 1000);
        assertAccepted(first, 1000);
        String location = header(first, "Location");

        HttpResponse<byte[]> skipped = patchChunk(location, bytes, 2000, 3000);

        assertThat(skipped.statusCode()).isEqualTo(416);
        HttpResponse<byte[]> status = http.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(header(status, "Range")).isEqualTo("0-999");
        // After a 416 the client resumes from the offset the status reported.
        HttpResponse<byte[]> resumed = patchChunk(header(status, "Location"), bytes, 1000, 3000);
        assertAccepted(resumed, 3000);
        HttpResponse<byte[]> closed = http.put(withQuery(header(resumed, "Location"), "digest=" + blob.digest()),
                new byte[0]);
        assertThat(closed.statusCode()).isEqualTo(201);
        assertThat(http.get("/v2/" + repository + "/blobs/" + blob.digest()).body()).isEqualTo(bytes);
    }

    @Test
    void chunkThatRewindsIs416() {
        String repository = TestContent.uniqueRepository("chunked");
        byte[] bytes = TestContent.randomBytes(2000);
        HttpResponse<byte[]> first = patchChunk(http.startUpload(repository), bytes, 0, 1000);
        assertAccepted(first, 1000);

        HttpResponse<byte[]> rewound = patchChunk(header(first, "Location"), bytes, 500, 1500);

        assertThat(rewound.statusCode()).isEqualTo(416);
    }

    @Test
    void firstChunkNotStartingAtZeroIs416() {
        String repository = TestContent.uniqueRepository("chunked");
        byte[] bytes = TestContent.randomBytes(2000);

        HttpResponse<byte[]> response = patchChunk(http.startUpload(repository), bytes, 1000, 2000);

        assertThat(response.statusCode()).isEqualTo(416);
    }

    @Test
    void streamedPatchesWithoutContentRangeAppendAndAnEmptyPutCloses() {
        String repository = TestContent.uniqueRepository("chunked");
        Blob blob = TestContent.layer(1_500_000);
        byte[] bytes = blob.bytes();
        String location = http.startUpload(repository);

        HttpResponse<byte[]> first = patchStreamed(location, Arrays.copyOfRange(bytes, 0, 1_000_000));
        assertAccepted(first, 1_000_000);
        HttpResponse<byte[]> second = patchStreamed(header(first, "Location"),
                Arrays.copyOfRange(bytes, 1_000_000, bytes.length));
        assertAccepted(second, bytes.length);

        HttpResponse<byte[]> closed = http.put(withQuery(header(second, "Location"), "digest=" + blob.digest()),
                new byte[0]);
        assertThat(closed.statusCode()).isEqualTo(201);
        assertThat(header(closed, "Docker-Content-Digest")).isEqualTo(blob.digest());
        HttpResponse<byte[]> pulled = http.get("/v2/" + repository + "/blobs/" + blob.digest());
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(bytes);
    }

    @Test
    void statusOfAFreshSessionIs204WithItsLocation() {
        String repository = TestContent.uniqueRepository("chunked");
        String location = http.startUpload(repository);

        HttpResponse<byte[]> status = http.get(location);

        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(header(status, "Location")).isNotBlank();
        // The spec requires Range on every status answer; for no bytes yet, registries and clients use 0-0.
        assertThat(header(status, "Range")).isEqualTo("0-0");
    }

    @Test
    void closingWithTheWrongDigestIs400DigestInvalidAndStoresNothing() {
        String repository = TestContent.uniqueRepository("chunked");
        Blob blob = TestContent.layer(5000);
        HttpResponse<byte[]> patched = patchChunk(http.startUpload(repository), blob.bytes(), 0, 5000);
        assertAccepted(patched, 5000);
        String claimed = TestContent.unknownDigest();

        HttpResponse<byte[]> closed = http.put(withQuery(header(patched, "Location"), "digest=" + claimed),
                new byte[0]);

        assertError(closed, 400, "DIGEST_INVALID");
        assertHeadStatus(http.head("/v2/" + repository + "/blobs/" + claimed), 404);
        assertHeadStatus(http.head("/v2/" + repository + "/blobs/" + blob.digest()), 404);
    }

    @Test
    void deletingASessionAnswers204AndForgetsIt() {
        String repository = TestContent.uniqueRepository("chunked");
        HttpResponse<byte[]> patched = patchChunk(http.startUpload(repository), TestContent.randomBytes(100), 0, 100);
        assertAccepted(patched, 100);
        String location = header(patched, "Location");

        HttpResponse<byte[]> deleted = http.delete(location);

        assertThat(deleted.statusCode()).isEqualTo(204);
        assertError(http.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(patchChunk(location, TestContent.randomBytes(200), 100, 200), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void completedSessionIsGone() {
        String repository = TestContent.uniqueRepository("chunked");
        Blob blob = TestContent.layer(100);
        String location = http.startUpload(repository);
        HttpResponse<byte[]> closed = http.put(withQuery(location, "digest=" + blob.digest()), blob.bytes(),
                "Content-Type", OCTET_STREAM);
        assertThat(closed.statusCode()).isEqualTo(201);

        assertError(http.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void unknownSessionIs404BlobUploadUnknownForEveryMethod() {
        String repository = TestContent.uniqueRepository("chunked");
        http.pushBlob(repository, TestContent.layer(10));
        String location = "/v2/" + repository + "/blobs/uploads/" + UUID.randomUUID();
        Blob blob = TestContent.layer(10);

        assertError(http.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(patchChunk(location, blob.bytes(), 0, 10), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(http.put(withQuery(location, "digest=" + blob.digest()), blob.bytes(),
                "Content-Type", OCTET_STREAM), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(http.delete(location), 404, "BLOB_UPLOAD_UNKNOWN");
        assertHeadStatus(http.head("/v2/" + repository + "/blobs/" + blob.digest()), 404);
    }
}
