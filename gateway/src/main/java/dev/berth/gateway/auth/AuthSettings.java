package dev.berth.gateway.auth;

import dev.berth.kit.Config;
import dev.berth.kit.DatabaseConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The gateway's authentication settings. Keys (env {@code BERTH_GATEWAY_AUTH_...}):
 *
 * @param enabled            {@code gateway.auth.enabled} (true); false = everyone may do everything,
 *                           for development only
 * @param database           {@code gateway.database.*} (name default berth_gateway): users, robots and
 *                           namespaces
 * @param signingKeyFile     {@code gateway.auth.signing-key-file} (data/token-signing-key.pem): EC P-256
 *                           private key in PKCS#8 PEM, generated when missing; the public key is
 *                           written next to it as {@code <file>.pub} for the registry
 * @param issuer             {@code gateway.auth.issuer} (berth-gateway): the tokens' {@code iss}
 * @param service            {@code gateway.auth.service} (berth): the tokens' {@code aud}
 * @param tokenTtl           {@code gateway.auth.token-ttl-seconds} (300)
 * @param refreshTokenTtl    {@code gateway.auth.refresh-token-ttl-seconds} (2592000 = 30 days)
 * @param maxFailures        {@code gateway.auth.lockout.max-failures} (5): failed logins of one user
 *                           before it is locked; an IP address may fail four times as often
 * @param lockout            {@code gateway.auth.lockout.seconds} (300): how long a lock lasts, and the
 *                           window failures are counted in
 * @param adminPassword      {@code admin-password} (env {@code BERTH_ADMIN_PASSWORD}): the password of
 *                           user {@code admin} created on first start; generated and printed when unset
 */
public record AuthSettings(boolean enabled, DatabaseConfig database, Path signingKeyFile, String issuer,
                           String service, Duration tokenTtl, Duration refreshTokenTtl, int maxFailures,
                           Duration lockout, String adminPassword) {

    public static final String ENABLED = "gateway.auth.enabled";
    public static final String SIGNING_KEY_FILE = "gateway.auth.signing-key-file";
    public static final String ISSUER = "gateway.auth.issuer";
    public static final String SERVICE = "gateway.auth.service";
    public static final String TOKEN_TTL = "gateway.auth.token-ttl-seconds";
    public static final String REFRESH_TOKEN_TTL = "gateway.auth.refresh-token-ttl-seconds";
    public static final String MAX_FAILURES = "gateway.auth.lockout.max-failures";
    public static final String LOCKOUT = "gateway.auth.lockout.seconds";
    public static final String ADMIN_PASSWORD = "admin-password";

    public static final String DATABASE_NAME = "gateway.database.name";
    public static final String DEFAULT_DATABASE = "berth_gateway";
    public static final String DEFAULT_ISSUER = "berth-gateway";
    public static final String DEFAULT_SERVICE = "berth";

    /** Authentication off: the gateway proxies everything as before. */
    public static final AuthSettings DISABLED = new AuthSettings(false, null, null, DEFAULT_ISSUER,
            DEFAULT_SERVICE, Duration.ofMinutes(5), Duration.ofDays(30), 5, Duration.ofMinutes(5), null);

    public AuthSettings {
        if (enabled) {
            if (database == null || signingKeyFile == null) {
                throw new IllegalArgumentException("gateway authentication needs gateway.database.* and " + SIGNING_KEY_FILE);
            }
            if (tokenTtl.isNegative() || tokenTtl.isZero() || refreshTokenTtl.isNegative() || refreshTokenTtl.isZero()) {
                throw new IllegalArgumentException(TOKEN_TTL + " and " + REFRESH_TOKEN_TTL + " must be positive");
            }
            if (maxFailures < 1 || lockout.isNegative() || lockout.isZero()) {
                throw new IllegalArgumentException(MAX_FAILURES + " and " + LOCKOUT + " must be positive");
            }
            if (adminPassword != null && adminPassword.isBlank()) {
                adminPassword = null;
            }
            if (adminPassword != null && adminPassword.length() < Passwords.MIN_LENGTH) {
                throw new IllegalArgumentException(ADMIN_PASSWORD + " (BERTH_ADMIN_PASSWORD) must have at least "
                        + Passwords.MIN_LENGTH + " characters");
            }
        }
    }

    public static AuthSettings from(Config c) {
        if (!c.bool(ENABLED, true)) {
            return DISABLED;
        }
        // Never the registry's database by default: both keep their Flyway history in the same table name.
        Config db = c.has(DATABASE_NAME) ? c : c.with(DATABASE_NAME, DEFAULT_DATABASE);
        return new AuthSettings(true,
                DatabaseConfig.from(db, "gateway.database"),
                Path.of(c.string(SIGNING_KEY_FILE, "data/token-signing-key.pem")),
                c.string(ISSUER, DEFAULT_ISSUER),
                c.string(SERVICE, DEFAULT_SERVICE),
                Duration.ofSeconds(c.longValue(TOKEN_TTL, 300)),
                Duration.ofSeconds(c.longValue(REFRESH_TOKEN_TTL, 30L * 24 * 3600)),
                c.integer(MAX_FAILURES, 5),
                Duration.ofSeconds(c.longValue(LOCKOUT, 300)),
                c.string(ADMIN_PASSWORD, null));
    }

    @Override
    public String toString() {
        return "AuthSettings[enabled=" + enabled + ", database=" + database + ", signingKeyFile=" + signingKeyFile
                + ", issuer=" + issuer + ", service=" + service + "]";
    }
}
