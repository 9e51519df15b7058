package dev.berth.registry.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends a stream to a file with few, large writes. Incoming buffers are gathered until about
 * {@link #BATCH_BYTES} are pending, then written on a worker thread, one batch at a time, through
 * a direct buffer of {@link #BATCH_BYTES} that each worker thread keeps (one system call per full buffer).
 * Every {@link #FORCE_EVERY_BYTES} written, a force to disk starts beside the writes (the disk
 * flushes while the network delivers), so the final force that {@link #end()} waits for before it
 * reports success is short. Not thread-safe: use it from the context that created it.
 *
 * <p>Why a direct buffer of its own: handed heap buffers, a {@link FileChannel} copies each into a
 * temporary direct buffer and keeps those in a cache per thread, up to a thousand of them. Batches
 * go to whichever worker thread is free, so every worker ended up holding a copy of the largest
 * batch it had written (up to the write queue, 8 MiB): direct memory grew with the worker pool, and
 * a small heap (the direct limit defaults to the heap size) ran out of it mid-upload.
 *
 * <p>A write queued behind a batch in flight returns that batch's outcome (as
 * {@link S3AppendStream} does with its part upload), so a pipe that is paused on a full queue
 * learns of a failed write instead of waiting for a drain that never comes.
 */
final class FileAppender implements WriteStream<Buffer> {

    static final int BATCH_BYTES = 1024 * 1024;
    static final long FORCE_EVERY_BYTES = 32L * 1024 * 1024;

    private final Vertx vertx;
    private final FileChannel channel;
    private List<ByteBuffer> pending = new ArrayList<>();
    /**
     * One per worker thread that writes batches (a batch runs start to end on one thread): direct memory stays
     * at {@link #BATCH_BYTES} per worker however many uploads run at once.
     */
    private static final ThreadLocal<ByteBuffer> STAGING = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BATCH_BYTES));
    private long pendingBytes;
    private long unforcedBytes;
    private Future<Void> forcing = Future.succeededFuture();
    private boolean writing;
    private Future<Void> inFlight = Future.succeededFuture();
    private boolean ending;
    private Throwable failure;
    private int maxQueued = 8 * BATCH_BYTES;
    private Handler<Void> drainHandler;
    private Handler<Throwable> exceptionHandler;
    private final Promise<Void> ended = Promise.promise();

    FileAppender(Vertx vertx, FileChannel channel) {
        this.vertx = vertx;
        this.channel = channel;
    }

    @Override
    public Future<Void> write(Buffer data) {
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        if (ending) {
            return Future.failedFuture(new IllegalStateException("write after end"));
        }
        ByteBuffer bytes = ((BufferInternal) data).getByteBuf().nioBuffer();
        pending.add(bytes);
        pendingBytes += bytes.remaining();
        if (!writing && pendingBytes >= BATCH_BYTES) {
            writeBatch();
        }
        return writing ? inFlight : Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
        if (!ending) {
            ending = true;
            if (!writing && failure == null) {
                writeBatch();
            }
        }
        return ended.future();
    }

    private void writeBatch() {
        List<ByteBuffer> batch = pending;
        long batchBytes = pendingBytes;
        pending = new ArrayList<>();
        pendingBytes = 0;
        boolean last = ending;
        writing = true;
        Future<Void> written = vertx.executeBlocking(() -> {
            writeThroughStaging(batch, batchBytes);
            return null;
        }, false);
        Future<Void> done = last
                ? written.compose(v -> forcing.transform(ignored -> forceAndClose()))
                : written;
        inFlight = done;
        done.onComplete(ar -> {
            writing = false;
            if (ar.failed()) {
                fail(ar.cause());
                return;
            }
            if (last) {
                ended.tryComplete();
                return;
            }
            unforcedBytes += batchBytes;
            if (unforcedBytes >= FORCE_EVERY_BYTES && forcing.isComplete()) {
                unforcedBytes = 0;
                forcing = vertx.executeBlocking(() -> {
                    channel.force(false);
                    return null;
                }, false);
            }
            if (ending || pendingBytes >= BATCH_BYTES) {
                writeBatch();
            }
            Handler<Void> drain = drainHandler;
            if (drain != null && pendingBytes < maxQueued / 2) {
                drainHandler = null;
                drain.handle(null);
            }
        });
    }

    /** Copies the batch into the staging buffer and writes it out each time it is full. */
    private void writeThroughStaging(List<ByteBuffer> batch, long batchBytes) throws IOException {
        if (batchBytes == 0) {
            return;
        }
        ByteBuffer staging = STAGING.get();
        staging.clear();
        for (ByteBuffer bytes : batch) {
            while (bytes.hasRemaining()) {
                int n = Math.min(bytes.remaining(), staging.remaining());
                staging.put(staging.position(), bytes, bytes.position(), n);
                staging.position(staging.position() + n);
                bytes.position(bytes.position() + n);
                if (!staging.hasRemaining()) {
                    drain(staging);
                }
            }
        }
        drain(staging);
    }

    private void drain(ByteBuffer staging) throws IOException {
        staging.flip();
        while (staging.hasRemaining()) {
            channel.write(staging);
        }
        staging.clear();
    }

    private Future<Void> forceAndClose() {
        return vertx.executeBlocking(() -> {
            try {
                channel.force(false);
            } finally {
                channel.close();
            }
            return null;
        }, false);
    }

    private void fail(Throwable cause) {
        failure = cause;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the write failure is what gets reported
        }
        ended.tryFail(cause);
        pending = new ArrayList<>();
        pendingBytes = 0;
        if (exceptionHandler != null) {
            exceptionHandler.handle(cause);
        }
        // The queue is no longer full: a writer waiting for room finds out on its next write.
        Handler<Void> drain = drainHandler;
        if (drain != null) {
            drainHandler = null;
            drain.handle(null);
        }
    }

    @Override
    public boolean writeQueueFull() {
        return pendingBytes >= maxQueued;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        maxQueued = Math.max(maxSize, BATCH_BYTES);
        return this;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        drainHandler = handler;
        return this;
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        exceptionHandler = handler;
        return this;
    }
}
