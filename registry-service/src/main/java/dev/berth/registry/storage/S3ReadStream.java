package dev.berth.registry.storage;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Streams pieces of S3 objects one after the other: each chunk is read from a ranged GET on the S3
 * worker pool and handed over on the reader's context, and the next chunk is read only when there is
 * demand, so one chunk (1 MiB) is in memory per stream. A body that breaks mid-way is reopened at the byte
 * where it broke, with backoff, so a reset connection costs a retry and not the download.
 */
final class S3ReadStream implements ReadStream<Buffer> {

    private static final int CHUNK = 1024 * 1024;

    private final S3Operations s3;
    private final Context context;
    private final List<Piece> pieces;

    // Touched only by the one worker task in flight at a time.
    private int index;
    private long position;
    private InputStream body;
    private int failedAttempts;

    // Touched only on the context.
    private long demand = Long.MAX_VALUE;
    private boolean reading;
    private boolean ended;
    private boolean closed;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;

    /** {@code firstBody}, when given, is an open GET of exactly the first piece. */
    S3ReadStream(S3Operations s3, Context context, List<Piece> pieces, InputStream firstBody) {
        this.s3 = s3;
        this.context = context;
        this.pieces = pieces;
        this.body = firstBody;
        this.position = pieces.isEmpty() ? 0 : pieces.get(0).start();
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        this.handler = handler;
        if (handler == null) {
            // The reader went away (a pipe that failed): stop and let go of the connection.
            close();
        } else {
            // Never synchronously: the reader sets its end and exception handlers after this one, and a
            // chunk read fast enough would otherwise complete (and end) before they are there.
            context.runOnContext(v -> readMore());
        }
        return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        this.endHandler = endHandler;
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        demand = 0;
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        context.runOnContext(v -> {
            demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
            readMore();
        });
        return this;
    }

    private void readMore() {
        if (reading || ended || closed || demand == 0 || handler == null) {
            return;
        }
        reading = true;
        s3.onWorker(this::nextChunk).onComplete(ar -> {
            reading = false;
            if (closed) {
                closeBody();
                return;
            }
            if (ar.failed()) {
                ended = true;
                closeBody();
                if (exceptionHandler != null) {
                    exceptionHandler.handle(ar.cause());
                }
                return;
            }
            if (ar.result() == null) {
                ended = true;
                if (endHandler != null) {
                    endHandler.handle(null);
                }
                return;
            }
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            handler.handle(ar.result());
            readMore();
        });
    }

    /** Blocking, on a worker: the next chunk, or null at the end of the last piece. */
    private Buffer nextChunk() throws Exception {
        while (index < pieces.size()) {
            Piece piece = pieces.get(index);
            long remaining = piece.end() - position;
            if (remaining <= 0) {
                closeBody();
                index++;
                position = index < pieces.size() ? pieces.get(index).start() : 0;
                continue;
            }
            try {
                if (body == null) {
                    body = s3.get(piece.key(), position, remaining);
                }
                // A whole chunk per worker task: one read() of the HTTP client's body returns only what it
                // has buffered (a few KiB), and a task per read (two thread hops each) held S3 pulls to
                // about 120 MB/s; whole 1 MiB chunks, about 540.
                byte[] chunk = new byte[(int) Math.min(CHUNK, remaining)];
                int n = body.readNBytes(chunk, 0, chunk.length);
                if (n < chunk.length) {
                    // The object is shorter than asked for (a read past its end): that piece is done.
                    position = piece.end();
                    closeBody();
                    if (n == 0) {
                        continue;
                    }
                } else {
                    position += n;
                }
                failedAttempts = 0;
                return Buffer.buffer(n == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, n));
            } catch (IOException e) {
                closeBody();
                if (++failedAttempts >= S3Operations.MAX_ATTEMPTS) {
                    throw e;
                }
                Thread.sleep((50L << failedAttempts) + ThreadLocalRandom.current().nextInt(50));
            }
        }
        return null;
    }

    private void close() {
        if (!closed) {
            closed = true;
            if (reading) {
                return; // the read in flight closes the body when it comes back
            }
            s3.onWorker(() -> {
                closeBody();
                return null;
            });
        }
    }

    private void closeBody() {
        InputStream open = body;
        body = null;
        if (open != null) {
            try {
                open.close();
            } catch (IOException ignored) {
                // Nothing is left to read from it either way.
            }
        }
    }
}
