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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Signs the gateway's tokens (ES256, {@code kid} = key thumbprint): access tokens for the
 * registry ({@code aud} = service) and refresh tokens ({@code aud} = service + "-refresh", so a
 * registry never takes one for an access token).
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
        return sign(subject, settings.service(), ttl, claim);
    }

    public Issued refreshToken(String subject) {
        return sign(subject, refreshAudience(settings.service()), settings.refreshTokenTtl(), null);
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

    private Issued sign(String subject, String audience, Duration ttl, Object access) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(settings.issuer())
                .subject(subject)
                .audience(audience)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString());
        if (access != null) {
            claims.claim("access", access);
        }
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
