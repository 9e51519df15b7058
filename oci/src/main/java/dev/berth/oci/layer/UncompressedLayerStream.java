package dev.berth.oci.layer;

import dev.berth.oci.Digester;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The uncompressed tar stream as the tar reader consumes it: hashes every byte for the diff_id and
 * stops the layer once it grows past its limit. Skips are turned into reads so that skipped file
 * content is hashed too.
 */
final class UncompressedLayerStream extends FilterInputStream {

    /** Thrown from read(); the unpacker turns it into an {@link UnsafeLayerException} naming the entry. */
    static final class LimitExceeded extends IOException {
        LimitExceeded(long limit) {
            super("layer is larger than " + limit + " uncompressed bytes");
        }
    }

    private final Digester digester;
    private final long limit;
    private final byte[] skipBuffer = new byte[8192];
    private long count;

    UncompressedLayerStream(InputStream in, String algorithm, long limit) {
        super(in);
        this.digester = Digester.of(algorithm);
        this.limit = limit;
    }

    long count() {
        return count;
    }

    Digester digester() {
        return digester;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            skipBuffer[0] = (byte) b;
            seen(skipBuffer, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            seen(buffer, offset, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            int r = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    /** Reads to the end: the diff_id covers the tar's end-of-archive padding as well. */
    void drain() throws IOException {
        while (read(skipBuffer, 0, skipBuffer.length) >= 0) {
            // hashing happens in read
        }
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void seen(byte[] buffer, int offset, int n) throws LimitExceeded {
        count += n;
        if (count > limit) {
            throw new LimitExceeded(limit);
        }
        digester.update(buffer, offset, n);
    }
}
