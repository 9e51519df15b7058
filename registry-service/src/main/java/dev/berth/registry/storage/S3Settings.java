package dev.berth.registry.storage;

import dev.berth.kit.Config;
import java.net.URI;

/**
 * Where and how the S3 driver stores blobs. Keys under {@code registry.storage.s3.} (each overridable by
 * env, e.g. BERTH_REGISTRY_STORAGE_S3_ENDPOINT):
 * <ul>
 *   <li>{@code endpoint} (http://127.0.0.1:9000) — the S3 API's base URL;</li>
 *   <li>{@code region} (us-east-1), {@code bucket} (berth; created at start when missing);</li>
 *   <li>{@code access-key}, {@code secret-key} — request signing (signature v4);</li>
 *   <li>{@code path-style} (true) — {@code endpoint/bucket/key} addressing, what MinIO expects;
 *       false for virtual-hosted ({@code bucket.endpoint/key});</li>
 *   <li>{@code part-size} (16777216) — bytes per multipart part, 5 MiB to 5 GiB; each write buffers at
 *       most one part in memory;</li>
 *   <li>{@code worker-threads} (16) — threads that run the blocking S3 calls;</li>
 *   <li>{@code redirect-pulls} (false) — answer a blob GET with {@code 307} to a presigned URL of the
 *       object, so the bytes flow from S3 straight to the client; clients must be able to reach the
 *       endpoint;</li>
 *   <li>{@code redirect-expiry-seconds} (1200) — how long such a URL stays valid (1 s to 7 days).</li>
 * </ul>
 */
public record S3Settings(String endpoint, String region, String bucket, String accessKey, String secretKey,
                         boolean pathStyle, int partSize, int workerThreads, boolean redirectPulls,
                         int redirectExpirySeconds) {

    /** S3's smallest part, except the last one of an upload. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    public static final int DEFAULT_PART_SIZE = 16 * 1024 * 1024;
    /** Part sizes are held in one array, so they stay below 2 GiB (S3 itself allows 5 GiB). */
    static final int MAX_PART_SIZE = Integer.MAX_VALUE - 16;

    /** S3 accepts presigned URLs valid for at most seven days. */
    static final int MAX_REDIRECT_EXPIRY_SECONDS = 7 * 24 * 3600;

    /** Settings without pull redirects. */
    public S3Settings(String endpoint, String region, String bucket, String accessKey, String secretKey,
                      boolean pathStyle, int partSize, int workerThreads) {
        this(endpoint, region, bucket, accessKey, secretKey, pathStyle, partSize, workerThreads, false, 1200);
    }

    public S3Settings {
        if (redirectExpirySeconds < 1 || redirectExpirySeconds > MAX_REDIRECT_EXPIRY_SECONDS) {
            throw new IllegalArgumentException("registry.storage.s3.redirect-expiry-seconds must be between 1 and "
                    + MAX_REDIRECT_EXPIRY_SECONDS + " (7 days), got " + redirectExpirySeconds);
        }
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("registry.storage.s3.part-size must be between "
                    + MIN_PART_SIZE + " (5 MiB) and " + MAX_PART_SIZE + " bytes, got " + partSize);
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("registry.storage.s3.worker-threads must be at least 1");
        }
        URI uri = URI.create(endpoint);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("registry.storage.s3.endpoint must be a URL like http://host:9000, got "
                    + endpoint);
        }
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("registry.storage.s3.bucket is required");
        }
    }

    public static S3Settings from(Config c) {
        String p = "registry.storage.s3.";
        return new S3Settings(
                c.string(p + "endpoint", "http://127.0.0.1:9000"),
                c.string(p + "region", "us-east-1"),
                c.string(p + "bucket", "berth"),
                c.string(p + "access-key", ""),
                c.string(p + "secret-key", ""),
                c.bool(p + "path-style", true),
                c.integer(p + "part-size", DEFAULT_PART_SIZE),
                c.integer(p + "worker-threads", 16),
                c.bool(p + "redirect-pulls", false),
                c.integer(p + "redirect-expiry-seconds", 1200));
    }

    @Override
    public String toString() {
        // Settings get logged at start: never the secret.
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", accessKey=" + accessKey + ", pathStyle=" + pathStyle + ", partSize=" + partSize
                + ", workerThreads=" + workerThreads + ", redirectPulls=" + redirectPulls
                + ", redirectExpirySeconds=" + redirectExpirySeconds + "]";
    }
}
