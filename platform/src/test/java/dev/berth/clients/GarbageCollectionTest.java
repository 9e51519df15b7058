package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The garbage-collection API through the gateway, on the running platform: a real collection right
 * after skopeo pushed an index leaves it whole (its untagged children are within the grace period
 * and listed by a tagged index anyway), and skopeo copies it back out unchanged.
 */
@ExtendWith(RegistryUnderTest.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GarbageCollectionTest {

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();

    /** The admin API needs a system admin once authentication is on. */
    private static HttpRequest.Builder admin(RegistryAddress registry, HttpRequest.Builder request) {
        return registry.authenticated() ? request.header("Authorization", registry.basicAuthorization()) : request;
    }

    @Test
    void aCollectionThroughTheGatewayLeavesAJustPushedIndexWhole(RegistryAddress registry) throws Exception {
        Assumptions.assumeFalse(RegistryUnderTest.usesExternalRegistry(), "garbage collection is Berth's own API");
        Skopeo skopeo = Skopeo.require(registry);
        BusyboxImages.TwoPlatformIndex built = BusyboxImages.twoPlatformIndex(work.resolve("source"), "multi");
        String reference = registry.reference("clients/gc-multi:multi");
        skopeo.copy(Skopeo.oci(work.resolve("source"), "multi"), Skopeo.docker(reference), true);

        HttpResponse<String> started = http.send(admin(registry, HttpRequest.newBuilder(registry.uri("/api/v1/gc")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dryRun\":false}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isIn(202, 409);
        JsonObject run = null;
        if (started.statusCode() == 202) {
            String location = started.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith("/api/v1/gc/runs/");
            for (int i = 0; i < 1200; i++) {
                run = new JsonObject(http.send(admin(registry, HttpRequest.newBuilder(registry.uri(location))).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                if (!run.getString("status").equals("running")) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(run.getString("status")).as(run.encode()).isEqualTo("succeeded");
        }

        skopeo.copy(Skopeo.docker(reference), Skopeo.oci(work.resolve("copy"), "multi"), true);
        assertThat(skopeo.rawManifestDigest(reference)).isEqualTo(built.indexDigest());
        OciLayout copy = new OciLayout(work.resolve("copy"));
        assertThat(copy.digest("multi")).isEqualTo(built.indexDigest());
    }
}
