package dev.berth.registry.auth;

import dev.berth.kit.Config;
import dev.berth.kit.auth.PemKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;

/**
 * How the registry checks bearer tokens. Keys: {@code registry.auth.public-key} (PEM text) or
 * {@code registry.auth.public-key-file} (the gateway writes it next to its signing key as
 * {@code <key-file>.pub}); {@code registry.auth.issuer} (berth-gateway) and
 * {@code registry.auth.service} (berth) must match the gateway's. No key configured = no checks:
 * the registry is open, as its own module tests use it; {@code berth up} always sets the key.
 */
public record TokenAuthSettings(ECPublicKey publicKey, String issuer, String service) {

    public static final String PUBLIC_KEY = "registry.auth.public-key";
    public static final String PUBLIC_KEY_FILE = "registry.auth.public-key-file";
    public static final String ISSUER = "registry.auth.issuer";
    public static final String SERVICE = "registry.auth.service";

    public static final TokenAuthSettings OPEN = new TokenAuthSettings(null, "berth-gateway", "berth");

    public boolean enabled() {
        return publicKey != null;
    }

    public static TokenAuthSettings from(Config c) {
        String pem = c.string(PUBLIC_KEY, null);
        String file = c.string(PUBLIC_KEY_FILE, null);
        if ((pem == null || pem.isBlank()) && (file == null || file.isBlank())) {
            return OPEN;
        }
        if (pem == null || pem.isBlank()) {
            try {
                pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException(PUBLIC_KEY_FILE + ": cannot read " + file, e);
            }
        }
        ECPublicKey key;
        try {
            key = PemKeys.readPublicKey(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PUBLIC_KEY + "/" + PUBLIC_KEY_FILE + ": " + e.getMessage(), e);
        }
        return new TokenAuthSettings(key, c.string(ISSUER, "berth-gateway"), c.string(SERVICE, "berth"));
    }
}
