package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.HostCommand;
import dev.berth.testing.HostTools;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Namespace policies set through the gateway's {@code /api/v1} proxy, and skopeo pushes through the same
 * gateway refused by them with the distribution spec's {@code DENIED}.
 */
@ExtendWith(RegistryUnderTest.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NamespacePoliciesTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path work;

    private HttpResponse<String> call(RegistryAddress registry, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(registry.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        String authorization = path.startsWith("/v2/")
                ? registry.bearer("repository:gated/app:pull,push,delete") : registry.basicAuthorization();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HostCommand.Result push(OciLayout layout, String tag, RegistryAddress registry, String target) {
        List<String> command = new ArrayList<>(List.of(HostTools.require("skopeo").toString(), "--insecure-policy",
                "copy", "--dest-tls-verify=false"));
        if (registry.authenticated()) {
            command.addAll(List.of("--dest-creds", registry.username() + ":" + registry.password()));
        }
        command.addAll(List.of(Skopeo.oci(layout.root(), tag), Skopeo.docker(registry.reference(target))));
        return HostCommand.of(command.toArray(new String[0])).run();
    }

    @Test
    void aQuotaAndAnImmutableTagSetThroughTheGatewayRefusePushes(RegistryAddress registry) throws Exception {
        Assumptions.assumeFalse(RegistryUnderTest.usesExternalRegistry(), "namespace policies are Berth's own API");
        Skopeo.require();
        OciLayout amd64 = BusyboxImages.image(work.resolve("amd64"), "v1", "amd64");
        OciLayout arm64 = BusyboxImages.image(work.resolve("arm64"), "v1", "arm64");
        String api = "/api/v1/registry/namespaces/gated/";

        HttpResponse<String> quota = call(registry, "PUT", api + "quota", "{\"limitBytes\":1000}");
        assertThat(quota.statusCode()).as(quota.body()).isEqualTo(200);
        assertThat(call(registry, "PUT", api + "immutable-tags", "{\"patterns\":[\"v*\"]}").statusCode()).isEqualTo(200);

        // A busybox layer is far more than 1000 bytes: skopeo's push is refused and nothing is tagged.
        HostCommand.Result overQuota = push(amd64, "v1", registry, "gated/app:v1");
        assertThat(overQuota.succeeded()).as(overQuota.describe()).isFalse();
        assertThat(overQuota.stderr()).containsIgnoringCase("denied")
                .contains("quota of namespace").contains("gated").contains("exceeded");
        assertThat(call(registry, "GET", "/v2/gated/app/manifests/v1", null).statusCode()).isEqualTo(404);
        HttpResponse<String> usage = call(registry, "GET", api + "quota", null);
        assertThat(new JsonObject(usage.body()).getLong("usedBytes")).isLessThanOrEqualTo(1000);

        assertThat(call(registry, "DELETE", api + "quota", null).statusCode()).isEqualTo(204);
        HostCommand.Result first = push(amd64, "v1", registry, "gated/app:v1");
        assertThat(first.succeeded()).as(first.describe()).isTrue();
        assertThat(push(amd64, "v1", registry, "gated/app:v1").succeeded()).as("the same digest again").isTrue();

        // Another image under the immutable tag: refused, and v1 still serves the first image.
        HostCommand.Result moved = push(arm64, "v1", registry, "gated/app:v1");
        assertThat(moved.succeeded()).as(moved.describe()).isFalse();
        assertThat(moved.stderr()).containsIgnoringCase("denied").contains("is immutable");
        assertThat(Skopeo.require(registry).rawManifestDigest(registry.reference("gated/app:v1"))).isEqualTo(amd64.digest("v1"));

        // The envelope as a plain HTTP client sees it.
        HttpResponse<String> delete = call(registry, "DELETE", "/v2/gated/app/manifests/v1", null);
        assertThat(delete.statusCode()).isEqualTo(403);
        JsonObject error = new JsonObject(delete.body()).getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("code")).isEqualTo("DENIED");
        assertThat(error.getString("message")).contains("tag \"v1\" of gated/app is immutable");
    }
}
