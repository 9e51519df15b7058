package dev.berth.registry.webhooks;

import dev.berth.kit.events.EventConsumer;
import dev.berth.kit.events.Inbox;
import dev.berth.kit.events.Topics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;

/**
 * Turns registry events into deliveries: consumer group {@value #GROUP} on the registry's topic, and
 * for each event a pending delivery per matching enabled subscription, written in the transaction
 * that claims the event in the {@link Inbox}, so a record Kafka hands out again adds nothing.
 */
final class WebhookDispatcher extends VerticleBase {

    static final String GROUP = "berth-webhooks";

    private final Pool pool;
    private final String bootstrapServers;
    private EventConsumer consumer;

    WebhookDispatcher(Pool pool, String bootstrapServers) {
        this.pool = pool;
        this.bootstrapServers = bootstrapServers;
    }

    @Override
    public Future<?> start() {
        consumer = EventConsumer.builder(vertx, bootstrapServers, GROUP, Topics.REGISTRY_EVENTS)
                .transactionalHandler(new Inbox(pool), (event, tx) -> DeliveryQueue.enqueue(tx, event)
                        .map(count -> {
                            if (count > 0) {
                                // The transaction commits right after; the worker's timer catches a nudge that came too early.
                                vertx.setTimer(20, id -> vertx.eventBus().send(DeliveryWorker.NUDGE, null));
                            }
                            return null;
                        }))
                .build();
        return consumer.start();
    }

    @Override
    public Future<?> stop() {
        return consumer == null ? Future.succeededFuture() : consumer.stop();
    }
}
