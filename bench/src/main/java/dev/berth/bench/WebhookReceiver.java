package dev.berth.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The endpoint both registries notify. {@code POST /berth} takes Berth's structured CloudEvents
 * ({@code data.tags}); {@code POST /distribution} takes distribution's event envelopes, where only manifest
 * pushes by tag count (it also announces blob pushes and pulls). The arrival time is taken when the request
 * head arrives, before the small body is read.
 */
final class WebhookReceiver {

  final Arrivals berth = new Arrivals();
  final Arrivals distribution = new Arrivals();
  private final Vertx vertx;
  private HttpServer server;

  WebhookReceiver(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<Void> listen(int port) {
    return vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
        .map(started -> {
          server = started;
          return null;
        });
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest request) {
    long arrived = System.nanoTime();
    String path = request.path();
    request.body().onComplete(body -> {
      if (body.failed()) {
        request.response().setStatusCode(400).end();
        return;
      }
      try {
        JsonObject json = body.result().toJsonObject();
        if (path.equals("/berth")) {
          JsonObject data = json.getJsonObject("data", new JsonObject());
          for (Object tag : data.getJsonArray("tags", new JsonArray())) {
            berth.record(String.valueOf(tag), arrived);
          }
        } else if (path.equals("/distribution")) {
          for (Object item : json.getJsonArray("events", new JsonArray())) {
            JsonObject event = (JsonObject) item;
            JsonObject target = event.getJsonObject("target", new JsonObject());
            if ("push".equals(event.getString("action")) && target.getString("tag") != null) {
              distribution.record(target.getString("tag"), arrived);
            }
          }
        } else {
          request.response().setStatusCode(404).end();
          return;
        }
        request.response().setStatusCode(204).end();
      } catch (RuntimeException e) {
        // A body we cannot read is the registry's bug, not ours to retry forever: say so and accept it.
        System.err.println("webhook " + path + ": unreadable body: " + e);
        request.response().setStatusCode(204).end();
      }
    });
  }
}
