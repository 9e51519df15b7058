package dev.berth.registry.webhooks;

import java.security.SecureRandom;
import java.util.Base64;

/** Standard Webhooks secrets: {@code whsec_} followed by base64; the HMAC key is the decoded bytes. */
final class WebhookSecret {

    static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSecret() {
    }

    static String generate() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The key bytes, or IllegalArgumentException when {@code secret} is not a usable secret. */
    static byte[] key(String secret) {
        if (!secret.startsWith(PREFIX)) {
            throw new IllegalArgumentException("secret must start with '" + PREFIX + "' followed by base64");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret after '" + PREFIX + "' is not valid base64");
        }
        // Below 24 bytes an HMAC-SHA256 key is guessable; above 64 it is hashed down anyway.
        if (key.length < 24 || key.length > 64) {
            throw new IllegalArgumentException("secret must decode to 24 to 64 bytes, got " + key.length);
        }
        return key;
    }
}
