package dev.berth.gateway;

import dev.berth.kit.ErrorBody;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Errors the gateway produces itself, in the envelope the client of that path expects: the
 * distribution-spec one under /v2 (docker prints its message), Berth's own everywhere else.
 */
public final class ProxyErrors {

  private ProxyErrors() {
  }

  static void send(HttpServerRequest req, int status, String code, String message) {
    send(req, status, code, code.toLowerCase(Locale.ROOT), message);
  }

  /** {@code registryCode} (distribution-spec, upper case) under /v2, {@code apiCode} elsewhere. */
  public static Future<Void> send(HttpServerRequest req, int status, String registryCode, String apiCode,
                                  String message) {
    JsonObject body = req.path().startsWith("/v2")
        ? new JsonObject().put("errors", new JsonArray().add(
            new JsonObject().put("code", registryCode).put("message", message).putNull("detail")))
        : ErrorBody.of(apiCode, message);
    Buffer bytes = body.toBuffer();
    HttpServerResponse resp = req.response();
    resp.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length()));
    return req.method() == HttpMethod.HEAD ? resp.end() : resp.end(bytes);
  }
}
