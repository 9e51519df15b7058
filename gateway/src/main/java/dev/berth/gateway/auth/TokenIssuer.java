package dev.berth.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.kit.auth.Access;
import dev.berth.kit.auth.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Signs the gateway's tokens (ES256, {@code kid} = key thumbprint): access tokens for the
 * registry ({@code aud} = service) and refresh tokens ({@code aud} = service + "-refresh", so a
 * registry never takes one for an access token). A refresh token carries a mark of the credential it
 * was issued against ({@link #CREDENTIAL_CLAIM}), so a password change or a new robot secret ends it.
 */
public final class TokenIssuer {

    private final SigningKey key;
    private final AuthSettings settings;
    private final Clock clock;
    private final ECDSASigner signer;

    public TokenIssuer(SigningKey key, AuthSettings settings, Clock clock) {
        this.key = key;
        this.settings = settings;
        this.clock = clock;
        try {
            this.signer = new ECDSASigner(key.privateKey());
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable signing key", e);
        }
    }

    /** An issued token and the instant it was issued at. */
    public record Issued(String token, Instant issuedAt, Duration ttl) {
    }

    public Issued accessToken(String subject, List<Access> access) {
        return accessToken(subject, access, settings.tokenTtl());
    }

    public Issued accessToken(String subject, List<Access> access, Duration ttl) {
        // Plain Java collections: the JWT library serializes those, not Vert.x JSON types.
        List<Map<String, Object>> claim = access.stream().<Map<String, Object>>map(a -> Map.of(
                "type", a.type(), "name", a.name(), "actions", a.actions().stream().sorted().toList())).toList();
        return sign(subject, settings.service(), ttl, Map.of("access", claim));
    }

    /** The claim of a refresh token that names the credential it was issued against ({@link #credentialMark}). */
    public static final String CREDENTIAL_CLAIM = "crd";

    /** A refresh token for {@code subject}, bound to the credential whose stored hash is {@code credentialHash}. */
    public Issued refreshToken(String subject, String credentialHash) {
        return sign(subject, refreshAudience(settings.service()), settings.refreshTokenTtl(),
                Map.of(CREDENTIAL_CLAIM, credentialMark(credentialHash)));
    }

    /**
     * A short digest of a stored password or secret hash: equal while the credential is unchanged, different
     * after a change (the stored hash is salted, so even the same password set again gives a new mark).
     */
    public static String credentialMark(String credentialHash) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(credentialHash.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    public TokenVerifier accessVerifier() {
        return new TokenVerifier(key.publicKey(), settings.issuer(), settings.service(), clock);
    }

    public TokenVerifier refreshVerifier() {
        return new TokenVerifier(key.publicKey(), settings.issuer(), refreshAudience(settings.service()), clock);
    }

    private static String refreshAudience(String service) {
        return service + "-refresh";
    }

    private Issued sign(String subject, String audience, Duration ttl, Map<String, Object> extraClaims) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(settings.issuer())
                .subject(subject)
                .audience(audience)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString());
        extraClaims.forEach(claims::claim);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(key.keyId()).build(),
                claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return new Issued(jwt.serialize(), now, ttl);
    }
}
