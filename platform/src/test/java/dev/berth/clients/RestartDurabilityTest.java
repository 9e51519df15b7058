package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a registry holds survives its process: a graceful restart keeps pushed images, and an
 * upload interrupted by SIGKILL can be resumed where the last acknowledged chunk ended.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestartDurabilityTest {

    private static final String REPOSITORY = "clients/durable";

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    @Test
    void pushedImageIsServedAfterAGracefulRestart() {
        Skopeo skopeo = Skopeo.require();
        OciLayout source = BusyboxImages.image(work.resolve("source"), "v1", "amd64");
        try (RegistryProcess registry = RegistryProcess.create(work)) {
            String reference = registry.address() + "/" + REPOSITORY + ":v1";
            registry.start();
            skopeo.copy(Skopeo.oci(source.root(), "v1"), Skopeo.docker(reference), false);

            registry.stop();
            registry.start();

            assertThat(skopeo.rawManifestDigest(reference)).isEqualTo(source.digest("v1"));
            skopeo.copy(Skopeo.docker(reference), Skopeo.oci(work.resolve("copy"), "v1"), false);
            assertThat(new OciLayout(work.resolve("copy")).digest("v1")).isEqualTo(source.digest("v1"));
        }
    }

    @Test
    void chunkedUploadResumesAfterTheRegistryIsKilled() throws Exception {
        byte[] blob = new byte[2 * 1024 * 1024 + 12_345];
        new Random(42).nextBytes(blob);
        int firstChunk = 1024 * 1024;
        String digest = OciLayout.sha256(blob);

        try (RegistryProcess registry = RegistryProcess.create(work)) {
            registry.start();
            URI base = URI.create("http://" + registry.address());

            HttpResponse<String> begun = send(HttpRequest.newBuilder(base.resolve("/v2/" + REPOSITORY + "/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(begun.statusCode()).as(describe(begun)).isEqualTo(202);
            URI upload = location(base, begun);

            HttpResponse<String> first = send(chunk(upload, blob, 0, firstChunk));
            assertThat(first.statusCode()).as(describe(first)).isEqualTo(202);
            assertThat(first.headers().firstValue("Range")).hasValue("0-" + (firstChunk - 1));
            upload = location(base, first);

            registry.kill();
            registry.start();

            HttpResponse<String> status = send(HttpRequest.newBuilder(upload).GET());
            assertThat(status.statusCode()).as(describe(status)).isEqualTo(204);
            assertThat(status.headers().firstValue("Range")).hasValue("0-" + (firstChunk - 1));
            if (status.headers().firstValue("Location").isPresent()) {
                upload = location(base, status);
            }

            HttpResponse<String> rest = send(chunk(upload, blob, firstChunk, blob.length));
            assertThat(rest.statusCode()).as(describe(rest)).isEqualTo(202);
            assertThat(rest.headers().firstValue("Range")).hasValue("0-" + (blob.length - 1));
            upload = location(base, rest);

            HttpResponse<String> done = send(HttpRequest.newBuilder(withDigest(upload, digest))
                    .PUT(HttpRequest.BodyPublishers.noBody()));
            assertThat(done.statusCode()).as(describe(done)).isEqualTo(201);
            assertThat(done.headers().firstValue("Docker-Content-Digest")).hasValue(digest);

            HttpResponse<byte[]> fetched = http.send(
                    HttpRequest.newBuilder(base.resolve("/v2/" + REPOSITORY + "/blobs/" + digest)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(fetched.statusCode()).isEqualTo(200);
            assertThat(fetched.body().length).isEqualTo(blob.length);
            assertThat(Arrays.equals(fetched.body(), blob)).as("blob bytes served after the resumed upload").isTrue();
        }
    }

    private static HttpRequest.Builder chunk(URI upload, byte[] blob, int from, int to) {
        return HttpRequest.newBuilder(upload)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", from + "-" + (to - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(blob, from, to - from));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI location(URI base, HttpResponse<?> response) {
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("no Location header: " + describe(response)));
        return base.resolve(location);
    }

    private static URI withDigest(URI upload, String digest) {
        String separator = upload.getRawQuery() == null ? "?" : "&";
        return URI.create(upload + separator + "digest=" + digest);
    }

    private static String describe(HttpResponse<?> response) {
        return response.request().method() + " " + response.request().uri() + " -> " + response.statusCode()
                + " " + response.headers().map() + " " + response.body();
    }
}
