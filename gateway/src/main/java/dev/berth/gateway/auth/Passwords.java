package dev.berth.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt hashes of passwords and robot secrets (cost 10, about 50 ms here). Blocking CPU work:
 * call from a worker thread.
 */
public final class Passwords {

    public static final int COST = 10;
    /** bcrypt reads at most 72 bytes; a longer password would silently match its own prefix. */
    public static final int MAX_BYTES = 72;
    public static final int MIN_LENGTH = 8;

    private static final SecureRandom RANDOM = new SecureRandom();
    // Checked against when the account does not exist, so an unknown name costs the same time.
    private static final String DUMMY_HASH = hash("not-a-real-password");

    private Passwords() {
    }

    public static String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password.toCharArray(), salt, COST);
    }

    public static boolean matches(String hash, String password) {
        if (password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(hash == null ? DUMMY_HASH : hash, password.toCharArray());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A random secret for robots and generated admin passwords: 32 bytes, base64url. */
    public static String randomSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
