package dev.berth.registry.storage;

import dev.berth.oci.Digester;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/** Passes bytes on to storage while counting them and, when given a digester, hashing them. */
public final class CountingWriteStream implements WriteStream<Buffer> {

    private final WriteStream<Buffer> target;
    private final Digester digester;
    private long count;

    public CountingWriteStream(WriteStream<Buffer> target, Digester digester) {
        this.target = target;
        this.digester = digester;
    }

    public long count() {
        return count;
    }

    @Override
    public Future<Void> write(Buffer data) {
        count += data.length();
        if (digester != null) {
            digester.update(data);
        }
        return target.write(data);
    }

    @Override
    public Future<Void> end() {
        return target.end();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        target.exceptionHandler(handler);
        return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        target.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return target.writeQueueFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        target.drainHandler(handler);
        return this;
    }
}
