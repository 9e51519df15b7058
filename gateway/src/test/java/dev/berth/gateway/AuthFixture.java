package dev.berth.gateway;

import dev.berth.gateway.audit.AuditConfig;
import dev.berth.gateway.auth.AuthSettings;
import dev.berth.infra.PostgresDatabase;
import dev.berth.kit.DatabaseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A gateway with authentication on a real PostgreSQL database, in front of a fake registry. */
final class AuthFixture implements AutoCloseable {

  static final String ADMIN_PASSWORD = "admin-password-1";

  final Vertx vertx = Vertx.vertx();
  final FakeRegistry registry;
  final GatewayVerticle gateway;
  final String base;
  final Path keyFile;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  AuthFixture(PostgresDatabase db, Path dir, int maxFailures) throws Exception {
    this(db, dir, maxFailures, false);
  }

  /** With {@code audit}, the gateway also writes its audit log to the same database. */
  AuthFixture(PostgresDatabase db, Path dir, int maxFailures, boolean audit) throws Exception {
    registry = new FakeRegistry(vertx, "r").start();
    keyFile = dir.resolve("token-signing-key.pem");
    AuthSettings settings = new AuthSettings(true,
        new DatabaseConfig(db.host(), db.port(), db.database(), db.user(), db.password(), 4),
        keyFile, "berth-gateway", "berth", Duration.ofMinutes(5), Duration.ofDays(1), maxFailures,
        Duration.ofMinutes(10), ADMIN_PASSWORD);
    GatewayConfig config = new GatewayConfig("127.0.0.1", 0, List.of(registry.url()), null, 100, 1);
    if (audit) {
      config = config.withDatabase(settings.database(), new AuditConfig(true, 1000, 10, 20));
    }
    gateway = new GatewayVerticle(config, settings);
    await(vertx.deployVerticle(gateway));
    base = "http://127.0.0.1:" + gateway.actualPort();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> send(String method, String path, String authorization, String body) throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      req.header("Authorization", authorization);
    }
    if (body != null) {
      req.header("Content-Type", path.equals("/token") ? "application/x-www-form-urlencoded" : "application/json");
    }
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String authorization) throws Exception {
    return send("GET", path, authorization, null);
  }

  /** GET /token for {@code scopes}, with Basic credentials unless user is null. */
  HttpResponse<String> token(String user, String password, String... scopes) throws Exception {
    StringBuilder query = new StringBuilder("/token?service=berth");
    for (String scope : scopes) {
      query.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    }
    return get(query.toString(), user == null ? null : basic(user, password));
  }

  /** A bearer header for a token granted to {@code user} (null = anonymous) for {@code scopes}. */
  String bearer(String user, String password, String... scopes) throws Exception {
    HttpResponse<String> resp = token(user, password, scopes);
    if (resp.statusCode() != 200) {
      throw new AssertionError("token request failed: " + resp.statusCode() + " " + resp.body());
    }
    return "Bearer " + new JsonObject(resp.body()).getString("token");
  }

  String admin() {
    return basic("admin", ADMIN_PASSWORD);
  }

  /** Admin API call as admin; fails the test unless the status is the expected one. */
  JsonObject adminCall(String method, String path, String body, int expected) throws Exception {
    HttpResponse<String> resp = send(method, path, admin(), body);
    if (resp.statusCode() != expected) {
      throw new AssertionError(method + " " + path + " answered " + resp.statusCode() + ": " + resp.body());
    }
    return resp.body().isEmpty() ? new JsonObject() : new JsonObject(resp.body());
  }

  void createUser(String name, String password) throws Exception {
    adminCall("POST", "/api/v1/users", new JsonObject().put("name", name).put("password", password).encode(), 201);
  }

  void createNamespace(String name, boolean isPublic) throws Exception {
    adminCall("POST", "/api/v1/namespaces", new JsonObject().put("name", name).put("public", isPublic).encode(), 201);
  }

  void addMember(String ns, String user, String role) throws Exception {
    HttpResponse<String> resp = send("PUT", "/api/v1/namespaces/" + ns + "/members/" + user, admin(),
        new JsonObject().put("role", role).encode());
    if (resp.statusCode() != 201 && resp.statusCode() != 200) {
      throw new AssertionError("adding member answered " + resp.statusCode() + ": " + resp.body());
    }
  }

  @Override
  public void close() throws Exception {
    await(vertx.close());
  }
}
