package dev.berth.oci;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Computes a {@link Digest} incrementally as content streams past. Not thread-safe. */
public final class Digester {

    private final String algorithm;
    private final MessageDigest md;
    private long length;

    private Digester(String algorithm) {
        this.algorithm = algorithm;
        String jca = switch (algorithm) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw new InvalidDigestException("unsupported digest algorithm: " + algorithm);
        };
        try {
            this.md = MessageDigest.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Digester of(String algorithm) {
        return new Digester(algorithm);
    }

    public static Digester sha256() {
        return new Digester("sha256");
    }

    public String algorithm() {
        return algorithm;
    }

    /** Bytes seen so far. */
    public long length() {
        return length;
    }

    public void update(byte[] bytes, int offset, int count) {
        md.update(bytes, offset, count);
        length += count;
    }

    public void update(ByteBuffer buffer) {
        length += buffer.remaining();
        md.update(buffer);
    }

    public void update(Buffer buffer) {
        // getByteBuf() exposes Netty's buffer without copying; nioBuffer() is a view over it.
        update(((io.vertx.core.internal.buffer.BufferInternal) buffer).getByteBuf().nioBuffer());
    }

    /** Finishes the computation; the digester must not be used afterwards. */
    public Digest digest() {
        return new Digest(algorithm, HexFormat.of().formatHex(md.digest()));
    }
}
