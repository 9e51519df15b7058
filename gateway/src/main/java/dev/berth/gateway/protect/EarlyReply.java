package dev.berth.gateway.protect;

import dev.berth.gateway.ProxyErrors;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answering a request before its body has been read (429, 413). The body is read and dropped
 * rather than left in the socket, because closing a socket with unread bytes makes the kernel
 * send a reset that can destroy the answer before the client reads it. The answer says
 * {@code Connection: close} and the connection is closed once the body has ended, or after
 * {@link #LINGER_MS} for a client still sending: nobody gets to stream an endless body here.
 */
public final class EarlyReply {

    static final long LINGER_MS = 2000;

    private EarlyReply() {
    }

    /** Sends the error in the path's envelope; drains and closes when a body is still coming. */
    public static void send(Vertx vertx, HttpServerRequest req, int status, String registryCode, String apiCode,
                            String message) {
        if (req.isEnded() || !announcesBody(req)) {
            // Nothing (more) to read: the connection can stay open for the client's next request.
            ProxyErrors.send(req, status, registryCode, apiCode, message);
            return;
        }
        req.response().putHeader(HttpHeaders.CONNECTION, "close");
        ProxyErrors.send(req, status, registryCode, apiCode, message);
        req.handler(chunk -> { });
        req.exceptionHandler(e -> { });
        req.endHandler(v -> req.connection().close());
        req.resume();
        lingerThenClose(vertx, req);
    }

    /** Closes the connection after the linger time unless it is gone by then. */
    static void lingerThenClose(Vertx vertx, HttpServerRequest req) {
        vertx.setTimer(LINGER_MS, id -> {
            if (!req.isEnded()) {
                req.connection().close();
            }
        });
    }

    private static boolean announcesBody(HttpServerRequest req) {
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        return length != null ? !"0".equals(length.trim()) : req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }
}
