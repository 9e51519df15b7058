package dev.berth.kit.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

    private final KeyPair keys = generate();
    private final ECPublicKey pub = (ECPublicKey) keys.getPublic();
    private final TokenVerifier verifier = new TokenVerifier(pub, "berth-gateway", "berth");
    private final List<Map<String, Object>> access =
            List.of(Map.of("type", "repository", "name", "team/app", "actions", List.of("pull")));

    @Test
    void acceptsAGoodTokenAndReadsItsAccess() throws Exception {
        VerifiedToken token = verifier.verify(sign((ECPrivateKey) keys.getPrivate(), PemKeys.keyId(pub), claims().build()));
        assertThat(token.subject()).isEqualTo("dora");
        assertThat(token.access()).containsExactly(Access.repository("team/app", "pull"));
        assertThat(token.covers(List.of(Access.repository("team/app", "pull")))).isTrue();
        assertThat(token.covers(List.of(Access.repository("team/app", "push")))).isFalse();
    }

    @Test
    void oneRequestSharesAnAnswerOnlyAmongVerifiersThatTrustTheSameKeyIssuerAndAudience() throws Exception {
        ECPrivateKey key = (ECPrivateKey) keys.getPrivate();
        String good = sign(key, PemKeys.keyId(pub), claims().build());
        String forged = sign((ECPrivateKey) generate().getPrivate(), PemKeys.keyId(pub), claims().build());
        List<TokenVerifier> verifiers = List.of(
                verifier,
                new TokenVerifier(pub, "berth-gateway", "berth"),
                new TokenVerifier((ECPublicKey) generate().getPublic(), "berth-gateway", "berth"),
                new TokenVerifier(pub, "berth-gateway", "elsewhere"),
                new TokenVerifier(pub, "someone-else", "berth"));
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            // One request: the good token through every verifier, then a forgery through the first again.
            router.route().handler(ctx -> {
                List<String> answers = new ArrayList<>();
                for (TokenVerifier each : verifiers) {
                    answers.add(answer(() -> each.verify(ctx, good)));
                }
                answers.add(answer(() -> verifier.verify(ctx, forged)));
                ctx.response().end(String.join("\n", answers));
            });
            HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get();
            String body = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body.split("\n")).containsExactly(
                    "dora",
                    "dora",
                    "rejected: token signed by an unknown key",
                    "rejected: token is not meant for service elsewhere",
                    "rejected: token issuer is not trusted",
                    "rejected: token signature is invalid");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private interface Verification {
        VerifiedToken run() throws TokenVerifier.Rejected;
    }

    private static String answer(Verification verification) {
        try {
            return verification.run().subject();
        } catch (TokenVerifier.Rejected e) {
            return "rejected: " + e.getMessage();
        }
    }

    @Test
    void refusesForgeries() throws Exception {
        ECPrivateKey key = (ECPrivateKey) keys.getPrivate();
        String kid = PemKeys.keyId(pub);
        ECPrivateKey other = (ECPrivateKey) generate().getPrivate();
        Instant now = Instant.now();
        assertRejected(sign(other, kid, claims().build()), "signature");
        assertRejected(sign(other, null, claims().build()), "signature");
        assertRejected(sign(key, "some-other-key", claims().build()), "unknown key");
        assertRejected(sign(key, kid, claims().expirationTime(Date.from(now.minusSeconds(3600))).build()), "expired");
        assertRejected(sign(key, kid, claims().notBeforeTime(Date.from(now.plusSeconds(3600))).build()), "not valid yet");
        assertRejected(sign(key, kid, claims().audience("elsewhere").build()), "not meant");
        assertRejected(sign(key, kid, claims().issuer("someone").build()), "issuer");
        assertRejected(sign(key, kid, claims().expirationTime(null).build()), "expired");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        assertRejected(b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims().build().toString().getBytes(StandardCharsets.UTF_8)) + ".", "malformed");
        SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
        hmac.sign(new MACSigner(pub.getEncoded().length >= 32 ? java.util.Arrays.copyOf(pub.getEncoded(), 32) : new byte[32]));
        assertRejected(hmac.serialize(), "algorithm");
        assertRejected("not a token", "malformed");

        String good = sign(key, kid, claims().build());
        String[] parts = good.split("\\.");
        String widened = b64.encodeToString(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"pull\"", "\"pull\",\"push\",\"delete\"").getBytes(StandardCharsets.UTF_8));
        assertRejected(parts[0] + "." + widened + "." + parts[2], "signature");
    }

    @Test
    void aRememberedTokenStillExpiresAndItsAlteredCopiesStillFail() throws Exception {
        Instant start = Instant.now();
        Instant[] now = {start};
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        TokenVerifier remembering = new TokenVerifier(pub, "berth-gateway", "berth", clock);
        String good = sign((ECPrivateKey) keys.getPrivate(), PemKeys.keyId(pub), claims().build());
        assertThat(remembering.verify(good).subject()).isEqualTo("dora");
        assertThat(remembering.verify(good).subject()).as("verified again from memory").isEqualTo("dora");

        String[] parts = good.split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String widened = b64.encodeToString(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"pull\"", "\"pull\",\"push\"").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> remembering.verify(parts[0] + "." + widened + "." + parts[2]))
                .isInstanceOf(TokenVerifier.Rejected.class).hasMessageContaining("signature");

        now[0] = start.plusSeconds(3600);
        assertThatThrownBy(() -> remembering.verify(good)).isInstanceOf(TokenVerifier.Rejected.class)
                .hasMessageContaining("expired");
    }

    @Test
    void pemRoundTrips() {
        ECPublicKey read = PemKeys.readPublicKey(PemKeys.publicKeyPem(pub));
        assertThat(read).isEqualTo(pub);
        assertThat(PemKeys.readPrivateKey(PemKeys.privateKeyPem((ECPrivateKey) keys.getPrivate())))
                .isEqualTo(keys.getPrivate());
        assertThatThrownBy(() -> PemKeys.readPublicKey("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    private void assertRejected(String token, String reason) {
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(TokenVerifier.Rejected.class)
                .hasMessageContaining(reason);
    }

    private JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer("berth-gateway").subject("dora").audience("berth")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID("j1").claim("access", access);
    }

    private static String sign(ECPrivateKey key, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            return gen.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
