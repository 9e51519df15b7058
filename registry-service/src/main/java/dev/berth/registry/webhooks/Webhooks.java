package dev.berth.registry.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;

/** Starts the webhook machinery of one registry process: the delivery worker, and the dispatcher when Kafka is configured. */
public final class Webhooks {

    private Webhooks() {
    }

    /** Deploys the verticles; the result is their deployment ids, for undeploying. */
    public static Future<List<String>> deploy(Vertx vertx, Pool pool, WebhookSettings settings, String kafkaBootstrapServers) {
        List<String> ids = new ArrayList<>();
        return vertx.deployVerticle(new DeliveryWorker(new DeliveryQueue(pool), settings))
                .compose(id -> {
                    ids.add(id);
                    return kafkaBootstrapServers.isBlank() ? Future.succeededFuture(id)
                            : vertx.deployVerticle(new WebhookDispatcher(pool, kafkaBootstrapServers))
                                    .onSuccess(ids::add);
                })
                .map(v -> ids)
                .recover(e -> Future.join(ids.stream().map(vertx::undeploy).toList())
                        .transform(ignored -> Future.failedFuture(e)));
    }
}
