package dev.berth.registry.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature headers of one delivery: Standard Webhooks ({@code webhook-id}, {@code webhook-timestamp},
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}) and GitHub's
 * {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of body>}, both keyed with the secret's decoded bytes.
 */
record WebhookSignature(String webhookSignature, String hubSignature) {

    static WebhookSignature sign(String secret, String webhookId, long timestamp, String body) {
        byte[] key = WebhookSecret.key(secret);
        byte[] standard = hmac(key, webhookId + "." + timestamp + "." + body);
        byte[] hub = hmac(key, body);
        return new WebhookSignature("v1," + Base64.getEncoder().encodeToString(standard),
                "sha256=" + HexFormat.of().formatHex(hub));
    }

    private static byte[] hmac(byte[] key, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
