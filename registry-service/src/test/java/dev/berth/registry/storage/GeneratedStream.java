package dev.berth.registry.storage;

import dev.berth.oci.Digester;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.Random;

/**
 * A body of {@code size} pseudo-random bytes made up chunk by chunk as it is read, honouring
 * pause/fetch like a socket would: a stream of any size costs one chunk of memory. The same seed gives
 * the same bytes, so a test can compute what it expects without keeping it. Optionally it fails after
 * {@code failAfter} bytes, like a client that disconnects mid-body.
 */
final class GeneratedStream implements ReadStream<Buffer> {

    static final int CHUNK = 64 * 1024;

    private final Context context;
    private final long seed;
    private final long size;
    private final long failAfter;
    private long produced;
    private long demand = Long.MAX_VALUE;
    private boolean scheduled;
    private boolean done;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;

    GeneratedStream(Context context, long seed, long size, long failAfter) {
        this.context = context;
        this.seed = seed;
        this.size = size;
        this.failAfter = failAfter;
    }

    static GeneratedStream of(Context context, long seed, long size) {
        return new GeneratedStream(context, seed, size, -1);
    }

    /** Chunk {@code index} of the stream with {@code seed}: the same bytes every time. */
    static byte[] chunk(long seed, long index, int length) {
        byte[] bytes = new byte[length];
        new Random(seed * 1_000_003L + index).nextBytes(bytes);
        return bytes;
    }

    /** The whole stream in memory, for small sizes. */
    static byte[] bytes(long seed, int size) {
        byte[] all = new byte[size];
        for (int at = 0; at < size; at += CHUNK) {
            byte[] c = chunk(seed, at / CHUNK, Math.min(CHUNK, size - at));
            System.arraycopy(c, 0, all, at, c.length);
        }
        return all;
    }

    /** The SHA-256 of the stream with {@code seed} and {@code size}, computed chunk by chunk. */
    static String digest(long seed, long size) {
        Digester digester = Digester.sha256();
        for (long at = 0; at < size; at += CHUNK) {
            digester.update(Buffer.buffer(chunk(seed, at / CHUNK, (int) Math.min(CHUNK, size - at))));
        }
        return digester.digest().toString();
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        this.handler = handler;
        schedule();
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
        demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
        schedule();
        return this;
    }

    private void schedule() {
        if (!scheduled && !done && handler != null && demand > 0) {
            scheduled = true;
            // One chunk per turn of the event loop, as a socket delivers them.
            context.runOnContext(v -> emit());
        }
    }

    private void emit() {
        scheduled = false;
        if (done || handler == null || demand == 0) {
            return;
        }
        if (failAfter >= 0 && produced >= failAfter) {
            done = true;
            if (exceptionHandler != null) {
                exceptionHandler.handle(new java.io.IOException("connection reset (simulated)"));
            }
            return;
        }
        if (produced >= size) {
            done = true;
            if (endHandler != null) {
                endHandler.handle(null);
            }
            return;
        }
        long limit = failAfter >= 0 ? Math.min(size, failAfter) : size;
        int length = (int) Math.min(CHUNK - produced % CHUNK, limit - produced);
        byte[] full = chunk(seed, produced / CHUNK, (int) Math.min(CHUNK, size - produced / CHUNK * CHUNK));
        int from = (int) (produced % CHUNK);
        produced += length;
        if (demand != Long.MAX_VALUE) {
            demand--;
        }
        handler.handle(Buffer.buffer(full).slice(from, from + length));
        schedule();
    }
}
