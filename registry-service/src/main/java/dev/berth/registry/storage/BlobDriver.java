package dev.berth.registry.storage;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.nio.file.Path;

/**
 * The few primitives the blob store needs from a storage backend. Paths are relative, '/'-separated
 * keys. The shape fits a filesystem and an object store alike: writes resume at an offset (a
 * multipart upload continues with its next part), reads take an offset and length, and a move is of
 * one object, never of a directory.
 */
public interface BlobDriver {

    /**
     * Opens {@code path} for writing after its first {@code offset} bytes; bytes beyond them (left by
     * an interrupted write) are discarded. Ending the stream makes the bytes durable.
     */
    Future<WriteStream<Buffer>> openForAppend(String path, long offset);

    /** The object's size; fails with {@link NoSuchObjectException} when it does not exist. */
    Future<Long> size(String path);

    /** Streams {@code length} bytes from {@code offset}. */
    Future<ReadStream<Buffer>> read(String path, long offset, long length);

    /** Moves one object, replacing any object at {@code to}. */
    Future<Void> move(String from, String to);

    /** Deletes the object and, for a prefix, everything below it; absent is not an error. */
    Future<Void> delete(String path);

    /** Succeeds when the backend is reachable and writable enough to serve; for readiness checks. */
    Future<Void> probe();

    /** Releases connections and threads; the driver is not used afterwards. */
    default Future<Void> close() {
        return Future.succeededFuture();
    }

    /**
     * A URL the client may fetch the object from directly (a presigned S3 URL), or null to serve the
     * bytes through the registry. Only for finished objects.
     */
    default Future<String> redirectUrl(String path) {
        return Future.succeededFuture(null);
    }

    /** A local file holding the object, so it can be served with sendfile; null when there is none. */
    default Path localFile(String path) {
        return null;
    }
}
