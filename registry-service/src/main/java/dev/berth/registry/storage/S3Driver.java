package dev.berth.registry.storage;

import io.minio.messages.Part;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Blob driver over an S3 bucket (MinIO, AWS S3, anything that speaks the API), on minio-java.
 *
 * <p>A finished object is one S3 object under its path. An object being appended to is a chain of
 * {@link Segments}: each {@link #openForAppend} stream writes the segment {@code <path>.append/<offset>}
 * (one PUT, or a multipart upload when it outgrows a part), and drops segments starting at or past
 * that offset, so bytes an interrupted write left past it no longer count. Everything lives in the
 * bucket: another registry instance can continue the same upload. {@link #move} assembles the chain
 * into the target object: big ranges by server-side copy (UploadPartCopy, which also makes objects
 * over 5 GiB possible), small ones stitched through one part buffer; see {@link ComposePlan}.
 */
public final class S3Driver implements BlobDriver {

    private final Vertx vertx;
    private final S3Operations s3;
    private final int partSize;
    private final long maxCopyPart;
    private final int redirectExpirySeconds;

    /** {@code redirectExpirySeconds}: 0 when pulls are not redirected. */
    S3Driver(Vertx vertx, S3Operations s3, int partSize, long maxCopyPart, int redirectExpirySeconds) {
        this.vertx = vertx;
        this.s3 = s3;
        this.partSize = partSize;
        this.maxCopyPart = maxCopyPart;
        this.redirectExpirySeconds = redirectExpirySeconds;
    }

    /** Connects, creating the bucket when it does not exist yet. */
    public static Future<S3Driver> start(Vertx vertx, S3Settings settings) {
        return start(vertx, settings, ComposePlan.MAX_COPY_PART);
    }

    /** As {@link #start(Vertx, S3Settings)}, with a smaller copy-part limit so tests can reach it. */
    static Future<S3Driver> start(Vertx vertx, S3Settings settings, long maxCopyPart) {
        S3Operations s3 = S3Operations.create(vertx, settings);
        return s3.onWorker(() -> {
            s3.ensureBucket();
            return new S3Driver(vertx, s3, settings.partSize(), maxCopyPart,
                    settings.redirectPulls() ? settings.redirectExpirySeconds() : 0);
        }).onFailure(e -> s3.close());
    }

    @Override
    public Future<WriteStream<Buffer>> openForAppend(String path, long offset) {
        return s3.onWorker(() -> {
            prepareAppend(path, offset);
            return (WriteStream<Buffer>) new S3AppendStream(s3, Segments.key(path, offset), partSize);
        });
    }

    /** Blocking: makes the segment chain of {@code path} end at {@code offset}. */
    private void prepareAppend(String path, long offset) throws Exception {
        Segments segments = Segments.of(s3.list(Segments.prefix(path)));
        if (segments.isEmpty()) {
            Long finished = s3.size(path);
            if (finished != null && offset > 0) {
                // Appending to a finished object: its bytes become the first segment.
                copy(List.of(new Piece(path, 0, finished, finished)), Segments.key(path, 0));
                segments = Segments.of(s3.list(Segments.prefix(path)));
            }
            if (finished != null) {
                s3.delete(List.of(path));
            }
        }
        if (offset > segments.size()) {
            throw new IllegalArgumentException("cannot append to " + path + " at " + offset + ": it holds "
                    + segments.size() + " bytes");
        }
        List<String> superseded = segments.keysFrom(offset);
        if (!superseded.isEmpty()) {
            s3.delete(superseded);
        }
        if (offset < segments.size()) {
            // An empty segment at the offset cuts the earlier one off now, even if this write never ends.
            s3.put(Segments.key(path, offset), new byte[0], 0);
        }
    }

    @Override
    public Future<Long> size(String path) {
        return s3.onWorker(() -> {
            Long finished = s3.size(path);
            if (finished != null) {
                return finished;
            }
            Segments segments = Segments.of(s3.list(Segments.prefix(path)));
            if (segments.isEmpty()) {
                throw new NoSuchObjectException(path);
            }
            return segments.size();
        });
    }

    @Override
    public Future<ReadStream<Buffer>> read(String path, long offset, long length) {
        Context context = vertx.getOrCreateContext();
        if (length <= 0) {
            return size(path).map(size -> (ReadStream<Buffer>) new S3ReadStream(s3, context, List.of(), null));
        }
        return s3.onWorker(() -> {
            // The common case, a finished blob, costs one GET; only a miss looks for segments.
            try {
                InputStream body = s3.get(path, offset, length);
                return new S3ReadStream(s3, context, List.of(new Piece(path, offset, offset + length, -1)), body);
            } catch (Exception e) {
                if (!S3Operations.isMissing(e)) {
                    throw e;
                }
            }
            Segments segments = Segments.of(s3.list(Segments.prefix(path)));
            if (segments.isEmpty()) {
                throw new NoSuchObjectException(path);
            }
            return new S3ReadStream(s3, context, segments.pieces(offset, offset + length), null);
        });
    }

    @Override
    public Future<Void> move(String from, String to) {
        return s3.onWorker(() -> {
            Segments segments = Segments.of(s3.list(Segments.prefix(from)));
            List<Piece> pieces;
            List<String> sources;
            if (segments.isEmpty()) {
                Long size = s3.size(from);
                if (size == null) {
                    throw new NoSuchObjectException(from);
                }
                pieces = List.of(new Piece(from, 0, size, size));
                sources = List.of(from);
            } else {
                pieces = segments.pieces(0, segments.size());
                sources = segments.keys();
            }
            List<String> staleAtTarget = s3.list(Segments.prefix(to)).stream().map(StoredObject::key).toList();
            if (!staleAtTarget.isEmpty()) {
                s3.delete(staleAtTarget);
            }
            copy(pieces, to);
            s3.delete(sources);
            return null;
        });
    }

    /** Blocking: writes the concatenation of {@code pieces} as the object {@code to}. */
    private void copy(List<Piece> pieces, String to) throws Exception {
        long total = pieces.stream().mapToLong(Piece::length).sum();
        if (total == 0) {
            s3.put(to, new byte[0], 0);
            return;
        }
        if (pieces.size() == 1 && pieces.get(0).isWholeObject() && total <= maxCopyPart) {
            s3.copyObject(pieces.get(0).key(), to);
            return;
        }
        List<ComposePlan.Part> plan = ComposePlan.of(pieces, partSize, S3Settings.MIN_PART_SIZE, maxCopyPart);
        if (plan.size() > 10_000) {
            throw new IllegalStateException("composing " + to + " needs " + plan.size() + " parts; S3 allows 10000");
        }
        byte[] buffer = null;
        if (plan.size() == 1 && plan.get(0) instanceof ComposePlan.Stitch stitch) {
            byte[] bytes = new byte[(int) stitch.length()];
            gather(stitch, bytes);
            s3.put(to, bytes, bytes.length);
            return;
        }
        String uploadId = s3.createUpload(to);
        try {
            List<Part> done = new ArrayList<>();
            for (ComposePlan.Part part : plan) {
                int number = done.size() + 1;
                if (part instanceof ComposePlan.Copy c) {
                    done.add(s3.copyPart(to, uploadId, number, c.source()));
                } else if (part instanceof ComposePlan.Stitch stitch) {
                    if (buffer == null) {
                        buffer = new byte[partSize];
                    }
                    byte[] bytes = buffer;
                    int length = gather(stitch, bytes);
                    done.add(s3.uploadPart(to, uploadId, number, bytes, length));
                }
            }
            s3.complete(to, uploadId, done);
        } catch (Exception e) {
            try {
                s3.abort(to, uploadId);
            } catch (Exception abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
    }

    /** Blocking: reads the stitched ranges into {@code into}; the number of bytes. */
    private int gather(ComposePlan.Stitch stitch, byte[] into) throws Exception {
        int filled = 0;
        for (Piece piece : stitch.sources()) {
            int start = filled;
            filled = S3Operations.retrying(() -> {
                try (InputStream in = s3.get(piece.key(), piece.start(), piece.length())) {
                    int n = in.readNBytes(into, start, (int) piece.length());
                    if (n != piece.length()) {
                        throw new IOException("short read of " + piece.key() + ": " + n + " of " + piece.length());
                    }
                    return start + n;
                }
            });
        }
        return filled;
    }

    @Override
    public Future<Void> delete(String path) {
        return s3.onWorker(() -> {
            List<String> keys = s3.list(path).stream().map(StoredObject::key)
                    .filter(key -> key.equals(path) || key.startsWith(path + "/")
                            || key.startsWith(Segments.prefix(path)))
                    .toList();
            if (!keys.isEmpty()) {
                s3.delete(keys);
            }
            // Segment uploads that never ended (a client gone mid-write) would otherwise be billed forever.
            for (String[] upload : s3.uploadsUnder(path)) {
                String key = upload[0];
                if (key.equals(path) || key.startsWith(path + "/") || key.startsWith(Segments.prefix(path))) {
                    s3.abort(key, upload[1]);
                }
            }
            return null;
        });
    }

    @Override
    public Future<String> redirectUrl(String path) {
        if (redirectExpirySeconds == 0) {
            return Future.succeededFuture(null);
        }
        return s3.onWorker(() -> s3.presignedGet(path, redirectExpirySeconds));
    }

    @Override
    public Future<Void> probe() {
        return s3.onWorker(() -> {
            s3.probe();
            return null;
        });
    }

    @Override
    public Future<Void> close() {
        s3.close();
        return Future.succeededFuture();
    }
}
