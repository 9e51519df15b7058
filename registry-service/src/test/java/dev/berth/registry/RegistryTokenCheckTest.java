package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.kit.Config;
import dev.berth.kit.auth.PemKeys;
import dev.berth.registry.auth.TokenAuthSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The registry with a public key configured: it takes only tokens that key signed and that cover the route. */
@ExtendWith(PostgresExtension.class)
class RegistryTokenCheckTest {

    private static Vertx vertx;
    private static RegistryService registry;
    private static String base;
    private static KeyPair keys;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(PostgresDatabase db, @TempDir Path storage) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        keys = gen.generateKeyPair();
        vertx = Vertx.vertx();
        Config config = TestRegistryConfig.of(db, storage).with("registry.instances", 1)
                .with(TokenAuthSettings.PUBLIC_KEY, PemKeys.publicKeyPem((ECPublicKey) keys.getPublic()));
        registry = RegistryService.start(vertx, RegistryConfig.from(config)).await(60, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + registry.port();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.stop().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @Test
    void refusesRequestsWithoutACoveringToken() throws Exception {
        HttpResponse<String> none = get("/v2/team/app/tags/list", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(code(none)).isEqualTo("UNAUTHORIZED");
        assertThat(get("/v2/", null).statusCode()).isEqualTo(401);

        String pull = token(List.of(Map.of("type", "repository", "name", "team/app", "actions", List.of("pull"))));
        assertThat(get("/v2/", pull).statusCode()).isEqualTo(200);
        // Covered: the registry's own answer (no such repository yet).
        assertThat(code(get("/v2/team/app/tags/list", pull))).isEqualTo("NAME_UNKNOWN");
        HttpResponse<String> otherRepo = get("/v2/team/other/tags/list", pull);
        assertThat(otherRepo.statusCode()).isEqualTo(403);
        assertThat(code(otherRepo)).isEqualTo("DENIED");
        HttpResponse<String> push = send("POST", "/v2/team/app/blobs/uploads/", pull);
        assertThat(push.statusCode()).isEqualTo(403);
        assertThat(code(push)).isEqualTo("DENIED");
    }

    @Test
    void theCatalogAndTheRestApiNeedAnAdminToken() throws Exception {
        String catalogOnly = token(List.of(Map.of("type", "registry", "name", "catalog", "actions", List.of("*"))));
        assertThat(get("/v2/_catalog", catalogOnly).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/webhooks", catalogOnly).statusCode()).isEqualTo(403);
        HttpResponse<String> anonymous = get("/api/v1/webhooks", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(anonymous.body()).getJsonObject("error").getString("code")).isEqualTo("unauthorized");

        String admin = token(List.of(Map.of("type", "registry", "name", "catalog", "actions", List.of("*")),
                Map.of("type", "admin", "name", "*", "actions", List.of("*"))));
        assertThat(get("/v2/_catalog", admin).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/webhooks", admin).statusCode()).isEqualTo(200);
    }

    @Test
    void invalidNamesAndOpsRoutesNeedNoToken() throws Exception {
        assertThat(code(get("/v2/Bad_Name/tags/list", null))).isEqualTo("NAME_INVALID");
        assertThat(get("/health", null).statusCode()).isEqualTo(200);
    }

    private static String token(List<Map<String, Object>> access) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("berth-gateway").subject("dora").audience("berth")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60)))
                .jwtID("t").claim("access", access).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(PemKeys.keyId((ECPublicKey) keys.getPublic())).build(), claims);
        jwt.sign(new ECDSASigner((ECPrivateKey) keys.getPrivate()));
        return "Bearer " + jwt.serialize();
    }

    private static HttpResponse<String> get(String path, String authorization) throws Exception {
        return send("GET", path, authorization);
    }

    private static HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> resp) {
        return new JsonObject(resp.body()).getJsonArray("errors").getJsonObject(0).getString("code");
    }
}
