package dev.berth.oci.layer;

/**
 * Bounds on one layer, against archives built to exhaust the disk or inode table.
 *
 * @param maxEntries           tar entries (whiteouts included)
 * @param maxUncompressedBytes bytes of the uncompressed tar stream, headers included: a gzip or zstd
 *                             bomb is stopped here, however small the compressed blob is
 */
public record LayerLimits(long maxEntries, long maxUncompressedBytes) {

    /** Generous enough for real images (a full distribution userland is ~100k entries, a few GiB). */
    public static final LayerLimits DEFAULT = new LayerLimits(1_000_000, 32L << 30);

    public LayerLimits {
        if (maxEntries <= 0 || maxUncompressedBytes <= 0) {
            throw new IllegalArgumentException("layer limits must be positive");
        }
    }
}
