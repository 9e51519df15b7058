package dev.berth.gateway.protect;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;

/**
 * A request body that counts its bytes as they stream by and fails with {@link BodyTooLarge}
 * (instead of passing on the chunk that crosses the limit) once more than {@code max} arrive.
 * Whoever pipes it then resets the upstream request, so the upstream never sees a complete body,
 * and answers 413. After that the rest of the body is read and dropped, and the connection closed
 * (see {@link EarlyReply}).
 */
final class LimitedBody implements ReadStream<Buffer> {

    private final Vertx vertx;
    private final HttpServerRequest req;
    private final long max;
    private final BodyTooLarge error;
    private long seen;
    private boolean tripped;
    private Handler<Buffer> dataHandler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;

    LimitedBody(Vertx vertx, HttpServerRequest req, long max, BodyTooLarge error) {
        this.vertx = vertx;
        this.req = req;
        this.max = max;
        this.error = error;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        dataHandler = handler;
        req.handler(handler == null ? null : this::data);
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> handler) {
        endHandler = handler;
        req.endHandler(v -> {
            if (tripped) {
                req.connection().close();
            } else if (endHandler != null) {
                endHandler.handle(null);
            }
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        exceptionHandler = handler;
        req.exceptionHandler(handler);
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        req.pause();
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        req.resume();
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        req.fetch(amount);
        return this;
    }

    private void data(Buffer chunk) {
        if (tripped) {
            return;
        }
        seen += chunk.length();
        if (seen <= max) {
            dataHandler.handle(chunk);
            return;
        }
        tripped = true;
        if (!req.response().headWritten()) {
            req.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        EarlyReply.lingerThenClose(vertx, req);
        Handler<Throwable> onError = exceptionHandler;
        if (onError != null) {
            onError.handle(error);
        }
        // The pipe has let go of the request (possibly paused for backpressure): read on and drop.
        req.handler(null);
        req.resume();
    }
}
