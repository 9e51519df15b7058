package dev.berth.registry.storage;

import io.minio.messages.Part;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one segment object. Bytes collect in a part buffer; a full buffer goes out as a multipart
 * part while the stream reports itself full, so a piped source pauses and at most one part (plus what
 * was already in flight when the pause took effect) is held per stream. A stream that never fills a
 * part ends with one plain PUT. Ending completes the upload, so the segment appears whole or not at
 * all; a failure aborts it. Used on one Vert.x context, like any WriteStream.
 */
final class S3AppendStream implements WriteStream<Buffer> {

    private static final int FIRST_BUFFER = 64 * 1024;
    private static final int MAX_PARTS = 10_000;

    private final S3Operations s3;
    private final String key;
    private final int partSize;
    private final List<Part> parts = new ArrayList<>();

    private byte[] part = new byte[0];
    private int filled;
    /** Bytes that arrived while the part buffer was out being uploaded. */
    private Buffer overflow = Buffer.buffer();
    private Future<Void> uploading;
    private String uploadId;
    private Throwable failure;
    private boolean ended;
    private Handler<Void> drainHandler;
    private Handler<Throwable> exceptionHandler;

    S3AppendStream(S3Operations s3, String key, int partSize) {
        this.s3 = s3;
        this.key = key;
        this.partSize = partSize;
    }

    @Override
    public Future<Void> write(Buffer data) {
        if (ended) {
            return Future.failedFuture(new IllegalStateException("stream already ended"));
        }
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        if (uploading != null) {
            overflow.appendBuffer(data);
            return uploading;
        }
        fill(data);
        return uploading != null ? uploading : Future.succeededFuture();
    }

    /** Copies {@code data} into the part buffer, shipping it when full; the rest waits in overflow. */
    private void fill(Buffer data) {
        int pos = 0;
        while (pos < data.length()) {
            if (uploading != null) {
                overflow.appendBuffer(data, pos, data.length() - pos);
                return;
            }
            int n = Math.min(data.length() - pos, partSize - filled);
            ensureCapacity(filled + n);
            data.getBytes(pos, pos + n, part, filled);
            filled += n;
            pos += n;
            if (filled == partSize) {
                ship();
            }
        }
    }

    private void ensureCapacity(int needed) {
        if (part.length >= needed) {
            return;
        }
        // Grow by doubling so a small blob costs a small buffer; a full part is exactly partSize.
        int size = Math.max(part.length, FIRST_BUFFER);
        while (size < needed) {
            size = (int) Math.min((long) size * 2, partSize);
        }
        byte[] grown = new byte[size];
        System.arraycopy(part, 0, grown, 0, filled);
        part = grown;
    }

    private void ship() {
        if (parts.size() >= MAX_PARTS) {
            fail(new IllegalStateException("a write of more than " + MAX_PARTS + " parts; raise the part size"));
            return;
        }
        byte[] bytes = part;
        int length = filled;
        int number = parts.size() + 1;
        Future<String> upload = uploadId != null ? Future.succeededFuture(uploadId)
                : s3.onWorker(() -> s3.createUpload(key)).onSuccess(id -> uploadId = id);
        uploading = upload.compose(id -> s3.onWorker(() -> s3.uploadPart(key, id, number, bytes, length)))
                .map(done -> {
                    parts.add(done);
                    return (Void) null;
                });
        uploading.onComplete(ar -> {
            uploading = null;
            if (ar.failed()) {
                fail(ar.cause());
                return;
            }
            // The uploaded array is free again: reuse it for the next part.
            filled = 0;
            Buffer pending = overflow;
            overflow = Buffer.buffer();
            fill(pending);
            if (uploading == null && drainHandler != null) {
                drainHandler.handle(null);
            }
        });
    }

    private void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
            part = null;
            overflow = Buffer.buffer();
            if (exceptionHandler != null) {
                exceptionHandler.handle(cause);
            }
        }
    }

    @Override
    public Future<Void> end() {
        if (ended) {
            return Future.failedFuture(new IllegalStateException("stream already ended"));
        }
        ended = true;
        return settled()
                .compose(v -> finish())
                .recover(e -> {
                    String id = uploadId;
                    Future<Void> cleanup = id == null ? Future.succeededFuture() : s3.onWorker(() -> {
                        s3.abort(key, id);
                        return null;
                    });
                    return cleanup.transform(ignored -> Future.failedFuture(e));
                });
    }

    /** Completes once no part is in flight; a finished part may ship the overflow as the next one. */
    private Future<Void> settled() {
        return uploading == null ? Future.succeededFuture() : uploading.transform(ar -> settled());
    }

    private Future<Void> finish() {
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        byte[] bytes = part;
        int length = filled;
        if (uploadId == null) {
            return s3.onWorker(() -> {
                s3.put(key, bytes, length);
                return null;
            });
        }
        int number = parts.size() + 1;
        Future<Void> last = length == 0 ? Future.succeededFuture()
                : s3.onWorker(() -> s3.uploadPart(key, uploadId, number, bytes, length)).map(done -> {
                    parts.add(done);
                    return null;
                });
        return last.compose(v -> s3.<Void>onWorker(() -> {
            s3.complete(key, uploadId, parts);
            return null;
        })).onComplete(ar -> part = null);
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        // The part size bounds what is buffered; a queue size is not meaningful here.
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return uploading != null;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        this.drainHandler = handler;
        return this;
    }
}
