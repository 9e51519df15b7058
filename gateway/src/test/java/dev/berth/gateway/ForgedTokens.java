package dev.berth.gateway;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.kit.auth.PemKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Tokens an attacker might try: each must be refused. */
public final class ForgedTokens {

  private ForgedTokens() {
  }

  public static Map<String, String> all(Path keyFile, String validToken, String repository) throws Exception {
    ECPrivateKey realKey = PemKeys.readPrivateKey(Files.readString(keyFile));
    ECPublicKey realPub = PemKeys.readPublicKey(Files.readString(keyFile.resolveSibling(keyFile.getFileName() + ".pub")));
    String kid = PemKeys.keyId(realPub);
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    ECPrivateKey otherKey = (ECPrivateKey) gen.generateKeyPair().getPrivate();
    Instant now = Instant.now();
    List<Map<String, Object>> all = List.of(Map.of("type", "repository", "name", repository,
        "actions", List.of("pull", "push", "delete")));
    return Map.of(
        "bad signature", sign(otherKey, kid, claims("berth", now.plusSeconds(300), all)),
        "alg none", unsigned(claims("berth", now.plusSeconds(300), all)),
        "expired", sign(realKey, kid, claims("berth", now.minusSeconds(3600), all)),
        "wrong audience", sign(realKey, kid, claims("elsewhere", now.plusSeconds(300), all)),
        "scope widened after signing", widened(validToken, repository));
  }

  private static JWTClaimsSet claims(String audience, Instant exp, Object access) {
    return new JWTClaimsSet.Builder().issuer("berth-gateway").subject("admin").audience(audience)
        .issueTime(Date.from(exp.minusSeconds(300))).notBeforeTime(Date.from(exp.minusSeconds(300)))
        .expirationTime(Date.from(exp)).jwtID("forged").claim("access", access).build();
  }

  private static String sign(ECPrivateKey key, String kid, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  private static String unsigned(JWTClaimsSet claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  /** The payload of a real token with every action added, the original signature kept. */
  private static String widened(String token, String repository) {
    String[] parts = token.split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    payload.put("access", new JsonArray().add(new JsonObject().put("type", "repository").put("name", repository)
        .put("actions", new JsonArray().add("pull").add("push").add("delete"))));
    String forged = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
    return parts[0] + "." + forged + "." + parts[2];
  }

  public static JsonObject payload(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  public static JsonObject header(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8));
  }
}
