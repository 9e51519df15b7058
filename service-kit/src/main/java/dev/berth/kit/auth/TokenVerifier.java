package dev.berth.kit.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.ext.web.RoutingContext;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a bearer token the gateway issued: ES256 only (so {@code alg: none} and HMAC tricks fail),
 * the signature against the gateway's public key, {@code kid} when present, {@code iss},
 * {@code aud}, and {@code exp}/{@code nbf} with a small allowance for clock skew. Used by the
 * gateway on every /v2 request and by the registry, which trusts nothing else.
 */
public final class TokenVerifier {

    /** Tolerated clock difference between the gateway that signed and whoever verifies. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    private final ECPublicKey key;
    private final String keyId;
    private final String issuer;
    private final String audience;
    private final Clock clock;
    /** Tokens whose signature and fixed claims were checked, by their signature part (then their exact text). */
    private final ConcurrentHashMap<String, Checked> verified = new ConcurrentHashMap<>();

    /** How many verified tokens are remembered; past it the memory starts over (an ES256 check costs ~0.1 ms). */
    private static final int REMEMBERED = 4096;

    private record Checked(String text, VerifiedToken token, Instant notBefore) {
    }

    /** A token verified for one request, by a verifier of {@link #trust}. */
    private record Verified(String token, VerifiedToken verified) {
    }

    /**
     * Routing-context key naming what this verifier trusts: key (its thumbprint), issuer and audience.
     * Verifiers built alike agree on every token, so they may share their answers on one request.
     */
    private final String trust;

    public TokenVerifier(ECPublicKey key, String issuer, String audience) {
        this(key, issuer, audience, Clock.systemUTC());
    }

    public TokenVerifier(ECPublicKey key, String issuer, String audience, Clock clock) {
        this.key = key;
        this.keyId = PemKeys.keyId(key);
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
        this.trust = "berth.verified-token|" + keyId + "|" + issuer + "|" + audience;
    }

    /** Why a token was refused; the message is safe to show the client. */
    public static final class Rejected extends Exception {
        public Rejected(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Checks {@code token}. What cannot change during a token's life (algorithm, key, signature, issuer,
     * audience, claims) is checked once and remembered by the token's exact text, so a changed byte (a
     * widened scope) is a new, unverified string; the time window is checked on every call.
     */
    public VerifiedToken verify(String token) throws Rejected {
        // Found by the signature (hashing 86 characters, not the whole token), kept only for the exact text.
        String signature = token.substring(token.lastIndexOf('.') + 1);
        Checked known = verified.get(signature);
        if (known == null || !known.text().equals(token)) {
            known = check(token);
            if (verified.size() >= REMEMBERED) {
                verified.clear();
            }
            verified.put(signature, known);
        }
        Instant now = clock.instant();
        if (known.token().expiresAt().plus(CLOCK_SKEW).isBefore(now)) {
            verified.remove(signature);
            throw new Rejected("token has expired");
        }
        if (known.notBefore() != null && known.notBefore().minus(CLOCK_SKEW).isAfter(now)) {
            throw new Rejected("token is not valid yet");
        }
        return known.token();
    }

    /**
     * {@link #verify(String)}, answered once per request: when the gateway serves its registry in-process,
     * the registry's own check of the same token on the same request, by a verifier of the same key,
     * issuer and audience, reuses the gateway's answer. A verifier that trusts anything else checks again.
     */
    public VerifiedToken verify(RoutingContext ctx, String token) throws Rejected {
        Verified known = ctx.get(trust);
        if (known != null && known.token().equals(token)) {
            return known.verified();
        }
        VerifiedToken verified = verify(token);
        ctx.put(trust, new Verified(token, verified));
        return verified;
    }

    private Checked check(String token) throws Rejected {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new Rejected("malformed token");
        }
        if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
            throw new Rejected("token algorithm " + jwt.getHeader().getAlgorithm() + " is not accepted");
        }
        String kid = jwt.getHeader().getKeyID();
        if (kid != null && !kid.equals(keyId)) {
            throw new Rejected("token signed by an unknown key");
        }
        try {
            if (!jwt.verify(new ECDSAVerifier(key))) {
                throw new Rejected("token signature is invalid");
            }
        } catch (JOSEException e) {
            throw new Rejected("token signature cannot be checked");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new Rejected("malformed token claims");
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw new Rejected("token issuer is not trusted");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
            throw new Rejected("token is not meant for service " + audience);
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new Rejected("token has no expiry, so it counts as expired");
        }
        Date nbf = claims.getNotBeforeTime();
        return new Checked(token, new VerifiedToken(claims.getSubject(), Access.fromClaim(claims.getClaim("access")),
                exp.toInstant()), nbf == null ? null : nbf.toInstant());
    }
}
