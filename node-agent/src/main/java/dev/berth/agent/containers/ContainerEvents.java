package dev.berth.agent.containers;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Lifecycle events ({@code created}, {@code started}, {@code exited}, {@code restarted}, {@code deleted}),
 * published on the local event bus at {@link #ADDRESS} as JSON objects.
 */
public final class ContainerEvents {

    public static final String ADDRESS = "berth.agent.container-events";

    private final Vertx vertx;

    ContainerEvents(Vertx vertx) {
        this.vertx = vertx;
    }

    void publish(String type, ContainerStatus status) {
        JsonObject event = new JsonObject()
                .put("type", type)
                .put("time", Instant.now().toString())
                .put("id", status.id())
                .put("name", status.name())
                .put("state", status.state().json())
                .put("restartCount", status.restartCount());
        if (type.equals("exited")) {
            event.put("exitCode", status.exitCode()).put("oomKilled", status.oomKilled());
            if (status.error() != null) {
                event.put("error", status.error());
            }
        }
        vertx.eventBus().publish(ADDRESS, event);
    }
}
