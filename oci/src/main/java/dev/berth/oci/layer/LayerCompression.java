package dev.berth.oci.layer;

import com.github.luben.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** How a layer blob is compressed, as its media type says. */
public enum LayerCompression {
    NONE, GZIP, ZSTD;

    /**
     * Covers the OCI layer types (including the non-distributable ones) and Docker's
     * {@code rootfs.diff.tar.gzip} and foreign layers.
     */
    public static LayerCompression forMediaType(String mediaType) {
        if (mediaType == null) {
            throw new IllegalArgumentException("layer has no media type");
        }
        if (mediaType.endsWith("+gzip") || mediaType.endsWith(".tar.gzip")) {
            return GZIP;
        }
        if (mediaType.endsWith("+zstd")) {
            return ZSTD;
        }
        if (mediaType.endsWith(".tar")) {
            return NONE;
        }
        throw new IllegalArgumentException("unsupported layer media type: " + mediaType);
    }

    /** Wraps the compressed blob in a stream of the uncompressed tar. */
    public InputStream decompress(InputStream blob) throws IOException {
        return switch (this) {
            case NONE -> blob;
            // Concatenated members are legal gzip and some layer writers produce them.
            case GZIP -> new GzipCompressorInputStream(blob, true);
            case ZSTD -> new ZstdInputStream(blob);
        };
    }
}
