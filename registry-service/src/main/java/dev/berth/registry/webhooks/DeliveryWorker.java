package dev.berth.registry.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due deliveries: polls PostgreSQL on a timer (and when nudged on the local event bus), leases a
 * batch, POSTs each signed CloudEvent and records the outcome. Every replica runs one; the lease in
 * {@link DeliveryQueue#claimDue} keeps them from sending the same delivery twice at once.
 */
final class DeliveryWorker extends VerticleBase {

    static final String NUDGE = "berth.registry.webhooks.nudge";
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final int BATCH = 32;
    /** What is read of a target's answer; the rest is cut off, nobody looks at it. */
    private static final long MAX_RESPONSE_BYTES = 64 * 1024;

    private final DeliveryQueue queue;
    private final WebhookSettings settings;
    private final RetryPolicy policy;
    private HttpClient client;
    private TargetGuard guard;
    private long timer;
    private MessageConsumer<Object> nudges;
    private boolean polling;
    private boolean pollAgain;
    private boolean stopping;

    DeliveryWorker(DeliveryQueue queue, WebhookSettings settings) {
        this.queue = queue;
        this.settings = settings;
        this.policy = new RetryPolicy(settings);
    }

    @Override
    public Future<?> start() {
        int timeoutMs = (int) settings.requestTimeout().toMillis();
        client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxRedirects(0));
        guard = new TargetGuard(vertx, settings.allowPrivateTargets());
        timer = vertx.setPeriodic(settings.pollInterval().toMillis(), id -> poll());
        nudges = vertx.eventBus().localConsumer(NUDGE, message -> poll());
        return nudges.completion();
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        vertx.cancelTimer(timer);
        return nudges.unregister().eventually(() -> client.close());
    }

    private void poll() {
        if (stopping) {
            return;
        }
        if (polling) {
            pollAgain = true;
            return;
        }
        polling = true;
        pollAgain = false;
        // The lease outlasts one attempt, so a lease never ends while its attempt still runs.
        Duration lease = settings.requestTimeout().multipliedBy(3).plusSeconds(5);
        queue.claimDue(BATCH, lease)
                .compose(batch -> Future.join(batch.stream().map(this::attempt).toList()).map(batch))
                .onComplete(ar -> {
                    polling = false;
                    if (ar.failed()) {
                        LOG.warn("webhook delivery poll failed: {}", ar.cause().toString());
                    } else if (ar.result().size() == BATCH || pollAgain) {
                        poll();
                    }
                });
    }

    private Future<Void> attempt(DeliveryQueue.Claimed d) {
        OffsetDateTime at = DeliveryQueue.now();
        long started = System.nanoTime();
        URI target = URI.create(d.targetUrl());
        return guard.check(target)
                .compose(v -> send(d, target))
                .transform(ar -> {
                    long latency = (System.nanoTime() - started) / 1_000_000;
                    DeliveryQueue.Outcome outcome = ar.succeeded()
                            ? new DeliveryQueue.Outcome(at, ar.result().statusCode(), ar.result().getHeader("Retry-After"),
                                    null, latency)
                            : new DeliveryQueue.Outcome(at, null, null, errorText(ar.cause()), latency);
                    return queue.record(d, outcome, policy, settings.disableAfter());
                })
                .onFailure(e -> LOG.warn("could not record webhook delivery {}: {}", d.id(), e.toString()));
    }

    private Future<HttpClientResponse> send(DeliveryQueue.Claimed d, URI target) {
        long timestamp = System.currentTimeMillis() / 1000;
        WebhookSignature signature = WebhookSignature.sign(d.secret(), d.eventId(), timestamp, d.body());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(target.toString())
                .setFollowRedirects(false)
                .putHeader("Content-Type", "application/cloudevents+json")
                .putHeader("User-Agent", "Berth-Webhooks/1")
                .putHeader("webhook-id", d.eventId())
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature", signature.webhookSignature())
                .putHeader("X-Hub-Signature-256", signature.hubSignature());
        return client.request(options).compose(request -> {
            Promise<HttpClientResponse> answered = Promise.promise();
            // Idle timeouts do not bound a target that trickles bytes: cap the whole exchange too.
            long deadline = vertx.setTimer(settings.requestTimeout().toMillis(), id ->
                    request.reset(0, new TimeoutException("no complete answer within " + settings.requestTimeout())));
            request.send(d.body())
                    .compose(response -> drain(request, response).map(response))
                    .onComplete(ar -> {
                        vertx.cancelTimer(deadline);
                        answered.handle(ar);
                    });
            return answered.future();
        });
    }

    /** Reads and drops the answer's body (bounded), so the connection can be reused. */
    private static Future<Void> drain(HttpClientRequest request, HttpClientResponse response) {
        long[] seen = {0};
        response.handler(chunk -> {
            seen[0] += chunk.length();
            if (seen[0] > MAX_RESPONSE_BYTES) {
                request.reset();
            }
        });
        // The status is what counts: a body cut off after it does not make the attempt fail.
        return response.end().recover(e -> Future.succeededFuture());
    }

    private static String errorText(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.length() > 500 ? message.substring(0, 500) : message;
    }

}
