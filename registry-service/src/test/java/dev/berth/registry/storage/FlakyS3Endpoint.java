package dev.berth.registry.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP peer in front of an S3 server that answers every {@code n}-th request with
 * {@code 503 SlowDown}, the way S3 sheds load, and passes the rest through untouched (Host header
 * included, so request signatures still match).
 */
final class FlakyS3Endpoint {

    private final HttpServer server;
    private final HttpClient client;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    private FlakyS3Endpoint(HttpServer server, HttpClient client) {
        this.server = server;
        this.client = client;
    }

    static Future<FlakyS3Endpoint> start(Vertx vertx, int targetPort, int everyNth) {
        HttpClient client = vertx.createHttpClient();
        FlakyS3Endpoint[] self = new FlakyS3Endpoint[1];
        HttpServer server = vertx.createHttpServer().requestHandler(req -> self[0].handle(req, targetPort, everyNth));
        self[0] = new FlakyS3Endpoint(server, client);
        return server.listen(0, "127.0.0.1").map(s -> self[0]);
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    int refused() {
        return refused.get();
    }

    private void handle(HttpServerRequest req, int targetPort, int everyNth) {
        if (requests.incrementAndGet() % everyNth == 0) {
            refused.incrementAndGet();
            req.body().onComplete(ignored -> req.response().setStatusCode(503)
                    .putHeader("Content-Type", "application/xml")
                    .end("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                            + "<Message>Please reduce your request rate.</Message></Error>"));
            return;
        }
        req.pause();
        RequestOptions options = new RequestOptions().setMethod(req.method()).setHost("127.0.0.1")
                .setPort(targetPort).setURI(req.uri());
        client.request(options).compose((HttpClientRequest out) -> {
            out.headers().setAll(req.headers());
            out.authority(HostAndPort.parseAuthority(req.headers().get("Host"), -1));
            return out.send(req);
        }).onComplete(ar -> {
            if (ar.failed()) {
                req.response().setStatusCode(502).end();
                return;
            }
            var in = ar.result();
            req.response().setStatusCode(in.statusCode()).headers().setAll(in.headers());
            in.pipeTo(req.response());
        });
    }

    Future<Void> close() {
        return server.close().compose(v -> client.close());
    }
}
