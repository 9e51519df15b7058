package dev.berth.kit;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * The error envelope of every Berth REST API except the registry's distribution API (which
 * speaks the distribution-spec envelope): {@code {"error":{"code":"...","message":"..."}}}.
 */
public final class ErrorBody {

  private ErrorBody() {}

  public static JsonObject of(String code, String message) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("message", message));
  }

  /** Ends {@code response} with {@code status} and the envelope as JSON. */
  public static Future<Void> send(HttpServerResponse response, int status, String code, String message) {
    return response.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(of(code, message).encode());
  }
}
