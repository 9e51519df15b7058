package dev.berth.gateway.protect;

import dev.berth.kit.Config;
import java.nio.file.Path;
import java.util.List;

/**
 * The gateway's protection settings (keys under {@code gateway.}, each overridable by env):
 *
 * @param ipLimit         {@code rate-limit.ip.rate} (requests/s, 0 = off, the default) and
 *                        {@code rate-limit.ip.burst} (default: one second's worth)
 * @param identityLimit   {@code rate-limit.identity.rate} / {@code .burst}, per authenticated caller
 * @param maxTracked      {@code rate-limit.max-tracked}: buckets kept per limiter (default 100000)
 * @param trustedProxies  {@code trusted-proxies}: IPs / CIDR blocks whose {@code X-Forwarded-For} is believed
 * @param tls             {@code tls.cert-file} + {@code tls.key-file} (PEM), or null for plain HTTP
 * @param allowPlainHttp  {@code allow-plain-http}: plain HTTP on a non-loopback address (default false)
 * @param manifestBytes   {@code limits.manifest-bytes}: manifest PUT body limit (default 4 MiB)
 * @param apiBodyBytes    {@code limits.api-body-bytes}: /api/v1 body limit (default 1 MiB)
 */
public record ProtectionConfig(RateLimit ipLimit, RateLimit identityLimit, int maxTracked,
                               List<String> trustedProxies, TlsFiles tls, boolean allowPlainHttp,
                               long manifestBytes, long apiBodyBytes) {

    public static final String RATE_LIMIT_IP = "gateway.rate-limit.ip";
    public static final String RATE_LIMIT_IDENTITY = "gateway.rate-limit.identity";
    public static final String MAX_TRACKED = "gateway.rate-limit.max-tracked";
    public static final String TRUSTED_PROXIES = "gateway.trusted-proxies";
    public static final String TLS_CERT_FILE = "gateway.tls.cert-file";
    public static final String TLS_KEY_FILE = "gateway.tls.key-file";
    public static final String ALLOW_PLAIN_HTTP = "gateway.allow-plain-http";
    public static final String MANIFEST_BYTES = "gateway.limits.manifest-bytes";
    public static final String API_BODY_BYTES = "gateway.limits.api-body-bytes";

    /** registry-service's own manifest limit; the gateway keeps the same by default. */
    public static final long DEFAULT_MANIFEST_BYTES = 4L * 1024 * 1024;
    public static final long DEFAULT_API_BODY_BYTES = 1024L * 1024;

    public static final ProtectionConfig DEFAULTS = new ProtectionConfig(RateLimit.OFF, RateLimit.OFF, 100_000,
            List.of(), null, false, DEFAULT_MANIFEST_BYTES, DEFAULT_API_BODY_BYTES);

    public ProtectionConfig {
        trustedProxies = List.copyOf(trustedProxies);
        trustedProxies.forEach(AddressRange::parse);
        if (maxTracked < 1) {
            throw new IllegalArgumentException(MAX_TRACKED + " must be at least 1");
        }
        if (manifestBytes < 1 || apiBodyBytes < 1) {
            throw new IllegalArgumentException(MANIFEST_BYTES + " and " + API_BODY_BYTES + " must be positive");
        }
    }

    public static ProtectionConfig from(Config c) {
        String cert = c.string(TLS_CERT_FILE, "");
        String key = c.string(TLS_KEY_FILE, "");
        if (cert.isBlank() != key.isBlank()) {
            throw new IllegalArgumentException("TLS needs both " + TLS_CERT_FILE + " and " + TLS_KEY_FILE);
        }
        return new ProtectionConfig(
                RateLimit.from(c, RATE_LIMIT_IP),
                RateLimit.from(c, RATE_LIMIT_IDENTITY),
                c.integer(MAX_TRACKED, 100_000),
                c.list(TRUSTED_PROXIES, List.of()),
                cert.isBlank() ? null : new TlsFiles(Path.of(cert), Path.of(key)),
                c.bool(ALLOW_PLAIN_HTTP, false),
                c.longValue(MANIFEST_BYTES, DEFAULT_MANIFEST_BYTES),
                c.longValue(API_BODY_BYTES, DEFAULT_API_BODY_BYTES));
    }

    public ProtectionConfig withTls(TlsFiles files) {
        return new ProtectionConfig(ipLimit, identityLimit, maxTracked, trustedProxies, files, allowPlainHttp,
                manifestBytes, apiBodyBytes);
    }

    public ProtectionConfig withRateLimits(RateLimit ip, RateLimit identity) {
        return new ProtectionConfig(ip, identity, maxTracked, trustedProxies, tls, allowPlainHttp,
                manifestBytes, apiBodyBytes);
    }

    public ProtectionConfig withLimits(long manifest, long apiBody) {
        return new ProtectionConfig(ipLimit, identityLimit, maxTracked, trustedProxies, tls, allowPlainHttp,
                manifest, apiBody);
    }

    public ProtectionConfig withAllowPlainHttp(boolean allow) {
        return new ProtectionConfig(ipLimit, identityLimit, maxTracked, trustedProxies, tls, allow,
                manifestBytes, apiBodyBytes);
    }
}
