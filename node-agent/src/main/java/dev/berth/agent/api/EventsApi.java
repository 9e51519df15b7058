package dev.berth.agent.api;

import dev.berth.agent.containers.ContainerEvents;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/events}: an NDJSON stream of lifecycle events from the moment of the request, until the client
 * goes. A client too slow to keep up loses events (they are dropped while its write queue is full) rather than
 * growing the agent's memory; it can resynchronize with {@code GET /v1/containers}.
 */
final class EventsApi {

    void mount(Router router) {
        router.get("/v1/events").handler(this::events);
    }

    private void events(RoutingContext ctx) {
        ctx.response().setChunked(true).putHeader("Content-Type", "application/x-ndjson");
        MessageConsumer<JsonObject> consumer = ctx.vertx().eventBus().localConsumer(ContainerEvents.ADDRESS);
        consumer.handler(message -> {
            if (!ctx.response().writeQueueFull()) {
                ctx.response().write(message.body().encode() + "\n");
            }
        });
        ctx.response().closeHandler(v -> consumer.unregister());
        consumer.completion().onSuccess(v -> ctx.response().write(""));
    }
}
