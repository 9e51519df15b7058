package dev.berth.agent.heartbeat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts the node's status to {@code <control-plane-url>/api/v1/nodes/<node-name>/heartbeat} every interval,
 * with the agent's bearer token. A failure is logged and the next attempt waits twice as long (up to 16
 * intervals); it is never fatal: the agent runs its containers whether or not anyone listens.
 */
public final class Heartbeat {

    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
    private static final int MAX_BACKOFF_FACTOR = 16;

    private final Vertx vertx;
    private final URI target;
    private final String token;
    private final long intervalMillis;
    private final Callable<JsonObject> status;
    private final HttpClient client;
    private int factor = 1;
    private long timer = -1;
    private volatile boolean stopped;

    /** @param status produces the body; it blocks and runs off the event loop */
    public Heartbeat(Vertx vertx, String controlPlaneUrl, String nodeName, String token, long intervalMillis,
                     Callable<JsonObject> status) {
        this.vertx = vertx;
        String base = controlPlaneUrl.endsWith("/") ? controlPlaneUrl.substring(0, controlPlaneUrl.length() - 1)
                : controlPlaneUrl;
        this.target = URI.create(base + "/api/v1/nodes/" + URLEncoder.encode(nodeName, StandardCharsets.UTF_8)
                + "/heartbeat");
        this.token = token;
        this.intervalMillis = intervalMillis;
        this.status = status;
        this.client = vertx.createHttpClient(new HttpClientOptions().setSsl("https".equals(target.getScheme()))
                .setConnectTimeout(5000));
    }

    public void start() {
        timer = vertx.setTimer(1, t -> beat());
    }

    public Future<Void> stop() {
        stopped = true;
        vertx.cancelTimer(timer);
        return client.close();
    }

    private void beat() {
        if (stopped) {
            return;
        }
        vertx.executeBlocking(status, false)
                .compose(this::send)
                .onComplete(done -> {
                    if (done.succeeded()) {
                        factor = 1;
                    } else {
                        factor = Math.min(factor * 2, MAX_BACKOFF_FACTOR);
                        LOG.warn("heartbeat to {} failed (next in {} ms): {}", target, intervalMillis * factor,
                                done.cause().getMessage());
                    }
                    if (!stopped) {
                        timer = vertx.setTimer(intervalMillis * factor, t -> beat());
                    }
                });
    }

    private Future<Void> send(JsonObject body) {
        int port = target.getPort() > 0 ? target.getPort() : "https".equals(target.getScheme()) ? 443 : 80;
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.getHost())
                .setPort(port).setURI(target.getRawPath()).setTimeout(10_000)
                .putHeader("Content-Type", "application/json");
        if (!token.isEmpty()) {
            options.putHeader("Authorization", "Bearer " + token);
        }
        return client.request(options)
                .compose(request -> request.send(Buffer.buffer(body.encode())))
                .compose(response -> response.body().compose(ignored -> response.statusCode() / 100 == 2
                        ? Future.<Void>succeededFuture()
                        : Future.failedFuture("HTTP " + response.statusCode())));
    }
}
