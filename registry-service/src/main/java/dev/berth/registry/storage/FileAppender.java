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
 * {@link #BATCH_BYTES} are pending, then written in one gathering write on a worker thread, one
 * batch at a time. Every {@link #FORCE_EVERY_BYTES} written, a force to disk starts beside the
 * writes (the disk flushes while the network delivers), so the final force that {@link #end()}
 * waits for before it reports success is short. Not thread-safe: use it from the context that
 * created it.
 */
final class FileAppender implements WriteStream<Buffer> {

    static final int BATCH_BYTES = 1024 * 1024;
    static final long FORCE_EVERY_BYTES = 32L * 1024 * 1024;

    private final Vertx vertx;
    private final FileChannel channel;
    private List<ByteBuffer> pending = new ArrayList<>();
    private long pendingBytes;
    private long unforcedBytes;
    private Future<Void> forcing = Future.succeededFuture();
    private boolean writing;
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
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
        if (!ending) {
            ending = true;
            if (!writing) {
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
            ByteBuffer[] buffers = batch.toArray(new ByteBuffer[0]);
            long left = batchBytes;
            while (left > 0) {
                left -= channel.write(buffers);
            }
            return null;
        }, false);
        Future<Void> done = last
                ? written.compose(v -> forcing.transform(ignored -> forceAndClose()))
                : written;
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
        if (exceptionHandler != null) {
            exceptionHandler.handle(cause);
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
