package dev.berth.registry.webhooks;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A real HTTP endpoint playing the user's webhook receiver: records each request, answers a set status. */
final class WebhookReceiver implements AutoCloseable {

    record Received(MultiMap headers, String body) {
    }

    final BlockingQueue<Received> requests = new LinkedBlockingQueue<>();
    final AtomicInteger status = new AtomicInteger(204);
    /** A Retry-After header to send with the answer, or null. */
    final AtomicReference<String> retryAfter = new AtomicReference<>();
    private final HttpServer server;

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code port} (0: any free one) on loopback. */
    static WebhookReceiver start(Vertx vertx, int port) throws Exception {
        WebhookReceiver[] self = new WebhookReceiver[1];
        HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            // The answer is fixed before the test sees the request, so it may change the next answer at once.
            String wait = self[0].retryAfter.get();
            if (wait != null) {
                req.response().putHeader("Retry-After", wait);
            }
            req.response().setStatusCode(self[0].status.get());
            self[0].requests.add(new Received(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.toString()));
            req.response().end();
        })).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
        self[0] = new WebhookReceiver(server);
        return self[0];
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/hook";
    }

    Received next(long seconds) throws InterruptedException {
        return requests.poll(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        server.close().await(10, TimeUnit.SECONDS);
    }
}
