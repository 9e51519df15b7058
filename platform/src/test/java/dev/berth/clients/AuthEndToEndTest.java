package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Platform;
import dev.berth.PlatformOptions;
import dev.berth.gateway.ForgedTokens;
import dev.berth.kit.Config;
import dev.berth.testing.DockerDaemon;
import dev.berth.testing.HostCommand;
import dev.berth.testing.HostTools;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication end to end on a platform as {@code berth up} runs it (auth on): docker login,
 * skopeo with credentials, anonymous pulls of public and private namespaces, role refusals through
 * the gateway, and a registry that refuses whatever bypasses the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class AuthEndToEndTest {

    private static final String ADMIN_PASSWORD = "e2e-admin-password";

    private Path work;

    private Vertx vertx;
    private Platform platform;
    private String gateway;
    private String address;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        work = dir;
        vertx = Vertx.vertx();
        platform = Platform.start(vertx, PlatformOptions.forTests(work.resolve("data")),
                Config.of(Map.of(), Map.of()).with("admin-password", ADMIN_PASSWORD)).await(120, TimeUnit.SECONDS);
        address = platform.gatewayAddress();
        gateway = "http://" + address;
        api("POST", "/api/v1/users", "{\"name\":\"dora\",\"password\":\"dora-password\"}", 201);
        api("POST", "/api/v1/users", "{\"name\":\"gus\",\"password\":\"gus-password\"}", 201);
        api("POST", "/api/v1/namespaces", "{\"name\":\"team\"}", 201);
        api("POST", "/api/v1/namespaces", "{\"name\":\"open\",\"public\":true}", 201);
        api("PUT", "/api/v1/namespaces/team/members/dora", "{\"role\":\"developer\"}", 201);
        api("PUT", "/api/v1/namespaces/team/members/gus", "{\"role\":\"guest\"}", 201);
        api("PUT", "/api/v1/namespaces/open/members/dora", "{\"role\":\"developer\"}", 201);
    }

    @AfterAll
    void stop() throws Exception {
        if (platform != null) {
            platform.stop().await(60, TimeUnit.SECONDS);
        }
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @Test
    void dockerLogsInPushesAndPullsAndAnonymousPullsOnlyPublicRepositories() throws Exception {
        String docker = DockerDaemon.ensureRunning().toString();
        Path config = work.resolve("docker-config");
        Path rootfs = BusyboxImages.rootfsTar(work);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String local = "berth-auth-test/busybox:" + suffix;
        String privateImage = address + "/team/docker-app:" + suffix;
        String publicImage = address + "/open/docker-app:" + suffix;
        try {
            HostCommand.of(docker, "import", rootfs.toString(), local).runOk();
            HostCommand.of(docker, "tag", local, privateImage).runOk();
            HostCommand.of(docker, "tag", local, publicImage).runOk();

            HostCommand.Result anonymousPush = HostCommand.of(docker, "--config", config.toString(), "push", privateImage).run();
            assertThat(anonymousPush.succeeded()).as("anonymous push").isFalse();

            HostCommand.Result wrongLogin = HostCommand.of(docker, "--config", config.toString(), "login", address,
                    "-u", "dora", "-p", "not-dora-password").run();
            assertThat(wrongLogin.succeeded()).isFalse();
            assertThat(wrongLogin.stderr()).containsIgnoringCase("unauthorized");

            HostCommand.of(docker, "--config", config.toString(), "login", address, "-u", "dora", "-p", "dora-password").runOk();
            HostCommand.of(docker, "--config", config.toString(), "push", privateImage).runOk();
            HostCommand.of(docker, "--config", config.toString(), "push", publicImage).runOk();
            HostCommand.of(docker, "rmi", privateImage, publicImage).runOk();
            HostCommand.of(docker, "--config", config.toString(), "pull", privateImage).runOk();
            HostCommand.of(docker, "rmi", privateImage).runOk();
            HostCommand.of(docker, "--config", config.toString(), "logout", address).runOk();

            HostCommand.Result anonymousPrivate = HostCommand.of(docker, "--config", config.toString(), "pull", privateImage).run();
            assertThat(anonymousPrivate.succeeded()).as("anonymous pull of a private repository").isFalse();
            assertThat(anonymousPrivate.stderr()).containsIgnoringCase("denied");
            HostCommand.of(docker, "--config", config.toString(), "pull", publicImage).runOk();
        } finally {
            HostCommand.of(docker, "rmi", "--force", privateImage, publicImage, local).run();
        }
    }

    @Test
    void skopeoCopiesWithCredentialsAndGuestsAndStrangersCannotPush() throws Exception {
        Skopeo.require();
        Path skopeo = HostTools.require("skopeo");
        Path layout = work.resolve("layout");
        BusyboxImages.image(layout, "v1", "amd64");
        String target = "docker://" + address + "/team/skopeo-app:v1";

        HostCommand.Result anonymous = HostCommand.of(skopeo.toString(), "--insecure-policy", "copy",
                "--dest-tls-verify=false", "--dest-no-creds", Skopeo.oci(layout, "v1"), target).run();
        assertThat(anonymous.succeeded()).as("anonymous push").isFalse();
        HostCommand.Result guest = HostCommand.of(skopeo.toString(), "--insecure-policy", "copy",
                "--dest-tls-verify=false", "--dest-creds", "gus:gus-password", Skopeo.oci(layout, "v1"), target).run();
        assertThat(guest.succeeded()).as("a guest's push").isFalse();
        assertThat(guest.stderr()).containsIgnoringCase("denied");

        HostCommand.of(skopeo.toString(), "--insecure-policy", "copy", "--dest-tls-verify=false",
                "--dest-creds", "dora:dora-password", Skopeo.oci(layout, "v1"), target).runOk();
        // The guest pulls it; a stranger does not.
        HostCommand.of(skopeo.toString(), "--insecure-policy", "copy", "--src-tls-verify=false",
                "--src-creds", "gus:gus-password", target, Skopeo.oci(work.resolve("pulled"), "v1")).runOk();
        HostCommand.Result stranger = HostCommand.of(skopeo.toString(), "inspect", "--tls-verify=false", "--no-creds",
                target).run();
        assertThat(stranger.succeeded()).as("anonymous inspect of a private repository").isFalse();
    }

    @Test
    void aDeveloperCannotDeleteAndTheCatalogShowsWhatTheCallerMayPull() throws Exception {
        byte[] blob = "auth e2e blob".getBytes(StandardCharsets.UTF_8);
        String digest = OciLayout.sha256(blob);
        String dora = token("dora", "dora-password", "repository:team/http-app:pull,push,delete");
        HttpResponse<String> push = send("POST", gateway + "/v2/team/http-app/blobs/uploads/?digest=" + digest, dora, blob);
        assertThat(push.statusCode()).as(push.body()).isEqualTo(201);
        HttpResponse<String> delete = send("DELETE", gateway + "/v2/team/http-app/blobs/" + digest, dora, null);
        assertThat(delete.statusCode()).isEqualTo(403);
        assertThat(errorCode(delete)).isEqualTo("DENIED");

        String openToken = token("dora", "dora-password", "repository:open/listed:push");
        assertThat(send("POST", gateway + "/v2/open/listed/blobs/uploads/?digest=" + digest, openToken, blob).statusCode())
                .isEqualTo(201);

        JsonArray anonymous = catalog(token(null, null, "registry:catalog:*"));
        assertThat(anonymous.getList()).contains("open/listed").noneMatch(n -> n.toString().startsWith("team/"));
        JsonArray doras = catalog(token("dora", "dora-password", "registry:catalog:*"));
        assertThat(doras.getList()).contains("open/listed", "team/http-app");
        JsonArray admins = catalog(token("admin", ADMIN_PASSWORD, "registry:catalog:*"));
        assertThat(admins.getList()).contains("open/listed", "team/http-app");
    }

    @Test
    void theRegistryRefusesRequestsThatBypassTheGateway() throws Exception {
        byte[] blob = "direct".getBytes(StandardCharsets.UTF_8);
        String digest = OciLayout.sha256(blob);
        String dora = token("dora", "dora-password", "repository:team/direct:pull,push");
        assertThat(send("POST", gateway + "/v2/team/direct/blobs/uploads/?digest=" + digest, dora, blob).statusCode())
                .isEqualTo(201);
        String registry = "http://127.0.0.1:" + platform.registryPorts().get(0);
        String blobUrl = registry + "/v2/team/direct/blobs/" + digest;

        assertThat(send("GET", blobUrl, dora, null).statusCode()).as("the gateway's token, sent directly").isEqualTo(200);
        HttpResponse<String> none = send("GET", blobUrl, null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(errorCode(none)).isEqualTo("UNAUTHORIZED");
        HttpResponse<String> notCovered = send("DELETE", blobUrl, dora, null);
        assertThat(notCovered.statusCode()).isEqualTo(403);
        assertThat(errorCode(notCovered)).isEqualTo("DENIED");
        HttpResponse<String> otherRepo = send("GET", registry + "/v2/team/elsewhere/blobs/" + digest, dora, null);
        assertThat(otherRepo.statusCode()).isEqualTo(403);

        String valid = dora.substring("Bearer ".length());
        for (Map.Entry<String, String> forged : ForgedTokens.all(work.resolve("data/token-signing-key.pem"),
                valid, "team/direct").entrySet()) {
            HttpResponse<String> refused = send("DELETE", blobUrl, "Bearer " + forged.getValue(), null);
            assertThat(refused.statusCode()).as(forged.getKey()).isEqualTo(401);
            assertThat(errorCode(refused)).as(forged.getKey()).isEqualTo("UNAUTHORIZED");
        }

        // The unfiltered catalog and the registry's REST API need an admin token from the gateway.
        assertThat(send("GET", registry + "/v2/_catalog", token("dora", "dora-password", "registry:catalog:*"), null)
                .statusCode()).isEqualTo(403);
        assertThat(send("GET", registry + "/api/v1/webhooks", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", registry + "/api/v1/webhooks", dora, null).statusCode()).isEqualTo(403);
        // Through the gateway an admin reaches it.
        HttpResponse<String> webhooks = send("GET", gateway + "/api/v1/webhooks", basic("admin", ADMIN_PASSWORD), null);
        assertThat(webhooks.statusCode()).as(webhooks.body()).isEqualTo(200);
        assertThat(send("GET", gateway + "/api/v1/webhooks", basic("dora", "dora-password"), null).statusCode())
                .isEqualTo(403);
    }

    private JsonArray catalog(String bearer) throws Exception {
        HttpResponse<String> resp = send("GET", gateway + "/v2/_catalog", bearer, null);
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        return new JsonObject(resp.body()).getJsonArray("repositories");
    }

    private String token(String user, String password, String scope) throws Exception {
        HttpResponse<String> resp = send("GET", gateway + "/token?service=berth&scope="
                + URLEncoder.encode(scope, StandardCharsets.UTF_8), user == null ? null : basic(user, password), null);
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        return "Bearer " + new JsonObject(resp.body()).getString("token");
    }

    private void api(String method, String path, String body, int expected) throws Exception {
        HttpResponse<String> resp = send(method, gateway + path, basic("admin", ADMIN_PASSWORD),
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(resp.statusCode()).as(method + " " + path + ": " + resp.body()).isEqualTo(expected);
    }

    private HttpResponse<String> send(String method, String url, String authorization, byte[] body) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        if (body != null) {
            req.header("Content-Type", url.contains("/api/v1/") ? "application/json" : "application/octet-stream");
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String errorCode(HttpResponse<String> resp) {
        return new JsonObject(resp.body()).getJsonArray("errors").getJsonObject(0).getString("code");
    }
}
