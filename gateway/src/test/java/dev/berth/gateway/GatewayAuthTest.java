package dev.berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The token flow and the /v2 guard, against a real database and a fake registry upstream. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayAuthTest {

  private static final String BLOB = "/blobs/sha256:" + "a".repeat(64);

  private AuthFixture f;

  @BeforeAll
  void start(PostgresDatabase db, @TempDir Path dir) throws Exception {
    f = new AuthFixture(db, dir, 100);
    f.createNamespace("team", false);
    f.createNamespace("pub", true);
    f.createUser("alice", "alice-password");
    f.createUser("gina", "gina-password");
    f.createUser("mo", "mo-password");
    f.createUser("carol", "carol-password");
    f.addMember("team", "alice", "developer");
    f.addMember("team", "gina", "guest");
    f.addMember("team", "mo", "maintainer");
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  @Test
  void challengesRequestsWithoutTokenWithTheScopeTheRouteNeeds() throws Exception {
    String realm = "Bearer realm=\"" + f.base + "/token\",service=\"berth\"";
    int forwarded = f.registry.requests().size();
    HttpResponse<String> base = f.get("/v2/", null);
    assertThat(base.statusCode()).isEqualTo(401);
    assertThat(base.headers().firstValue("WWW-Authenticate")).contains(realm);
    assertThat(errorCode(base)).isEqualTo("UNAUTHORIZED");

    assertThat(f.get("/v2/team/app" + BLOB, null).headers().firstValue("WWW-Authenticate"))
        .contains(realm + ",scope=\"repository:team/app:pull\"");
    assertThat(f.send("POST", "/v2/team/app/blobs/uploads/", null, null).headers().firstValue("WWW-Authenticate"))
        .contains(realm + ",scope=\"repository:team/app:push\"");
    assertThat(f.send("DELETE", "/v2/team/app/manifests/latest", null, null).headers().firstValue("WWW-Authenticate"))
        .contains(realm + ",scope=\"repository:team/app:delete\"");
    assertThat(f.get("/v2/_catalog", null).headers().firstValue("WWW-Authenticate"))
        .contains(realm + ",scope=\"registry:catalog:*\"");
    assertThat(f.send("POST", "/v2/team/app/blobs/uploads/?mount=sha256:" + "b".repeat(64) + "&from=pub/base",
        null, null).headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains(",scope=\"repository:team/app:push repository:pub/base:pull\"");
    assertThat(f.registry.requests()).hasSize(forwarded);
  }

  @Test
  void issuesSignedTokensWithTheGrantedAccess() throws Exception {
    HttpResponse<String> resp = f.token("admin", AuthFixture.ADMIN_PASSWORD, "repository:team/app:pull,push");
    assertThat(resp.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(resp.body());
    assertThat(body.getString("token")).isEqualTo(body.getString("access_token"));
    assertThat(body.getInteger("expires_in")).isEqualTo(300);
    assertThat(Instant.parse(body.getString("issued_at"))).isBefore(Instant.now().plusSeconds(60));
    assertThat(body.containsKey("refresh_token")).isFalse();

    String token = body.getString("token");
    JsonObject header = ForgedTokens.header(token);
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getString("kid")).isNotBlank();
    JsonObject claims = ForgedTokens.payload(token);
    assertThat(claims.getString("iss")).isEqualTo("berth-gateway");
    assertThat(claims.getString("sub")).isEqualTo("admin");
    assertThat(claims.getValue("aud")).isEqualTo("berth");
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(300);
    assertThat(claims.getLong("nbf")).isNotNull();
    assertThat(claims.getString("jti")).isNotBlank();
    assertThat(claims.getJsonArray("access")).isEqualTo(new JsonArray().add(new JsonObject()
        .put("type", "repository").put("name", "team/app").put("actions", new JsonArray().add("pull").add("push"))));
  }

  @Test
  void forwardsAValidTokenUntouched() throws Exception {
    String bearer = f.bearer("alice", "alice-password", "repository:team/app:pull");
    HttpResponse<String> resp = f.get("/v2/team/app" + BLOB, bearer);
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(f.registry.last().headers().get("Authorization")).isEqualTo(bearer);
  }

  @Test
  void wrongPasswordIsUnauthorized() throws Exception {
    HttpResponse<String> resp = f.token("alice", "not-her-password", "repository:team/app:pull");
    assertThat(resp.statusCode()).isEqualTo(401);
    assertThat(errorCode(resp)).isEqualTo("UNAUTHORIZED");
    assertThat(f.token("nobody", "whatever-password").statusCode()).isEqualTo(401);
  }

  @Test
  void anonymousCallersPullPublicNamespacesOnly() throws Exception {
    assertThat(access(f.token(null, null, "repository:pub/tool:pull,push"))).containsExactly("pull");
    assertThat(f.get("/v2/pub/tool" + BLOB, f.bearer(null, null, "repository:pub/tool:pull")).statusCode())
        .isEqualTo(200);

    String anonymous = f.bearer(null, null, "repository:team/app:pull");
    assertThat(ForgedTokens.payload(anonymous.substring(7)).getJsonArray("access")).isEmpty();
    HttpResponse<String> refused = f.get("/v2/team/app" + BLOB, anonymous);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"insufficient_scope\"");
  }

  @Test
  void developerPushesButCannotDelete() throws Exception {
    String bearer = f.bearer("alice", "alice-password", "repository:team/app:pull,push,delete");
    assertThat(ForgedTokens.payload(bearer.substring(7)).getJsonArray("access").getJsonObject(0)
        .getJsonArray("actions")).containsExactly("pull", "push");
    assertThat(f.send("POST", "/v2/team/app/blobs/uploads/", bearer, null).statusCode()).isEqualTo(202);
    HttpResponse<String> delete = f.send("DELETE", "/v2/team/app" + BLOB, bearer, null);
    assertThat(delete.statusCode()).isEqualTo(403);
    assertThat(errorCode(delete)).isEqualTo("DENIED");
  }

  @Test
  void maintainerMayDelete() throws Exception {
    String bearer = f.bearer("mo", "mo-password", "repository:team/app:delete");
    assertThat(f.send("DELETE", "/v2/team/app" + BLOB, bearer, null).statusCode()).isEqualTo(200);
  }

  @Test
  void aMountNeedsPullOnTheSourceAndPushOnTheTarget() throws Exception {
    String mount = "/v2/team/app/blobs/uploads/?mount=sha256:" + "b".repeat(64) + "&from=";
    String both = f.bearer("alice", "alice-password", "repository:team/app:push", "repository:team/base:pull");
    assertThat(f.send("POST", mount + "team/base", both, null).statusCode()).isEqualTo(202);
    // The same token does not cover a source it was not issued for; alice could get one for team/lib.
    HttpResponse<String> other = f.send("POST", mount + "team/lib", both, null);
    assertThat(other.statusCode()).isEqualTo(401);
    assertThat(other.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("insufficient_scope");
    // Nor one for someone else's private namespace, which she cannot read at all.
    String foreign = f.bearer("alice", "alice-password", "repository:team/app:push", "repository:carol-private/x:pull");
    HttpResponse<String> denied = f.send("POST", mount + "carol-private/x", foreign, null);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(errorCode(denied)).isEqualTo("DENIED");
  }

  @Test
  void dotSegmentsCannotSmuggleARequestIntoAnotherNamespace() throws Exception {
    // Token asked for a name that is not a repository name: nothing is granted.
    assertThat(access(f.token("alice", "alice-password", "repository:team/../carol-private/x:pull,push"))).isEmpty();
    // A token alice may hold, for team/x, used on a path that resolves elsewhere.
    String bearer = f.bearer("alice", "alice-password", "repository:team/x:pull,push");
    // Sent byte for byte: HTTP client libraries may resolve the dots themselves.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", f.gateway.actualPort())) {
      socket.getOutputStream().write(("POST /v2/team/x/../../carol-private/x/blobs/uploads/ HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nAuthorization: " + bearer + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 403").contains("DENIED");
    }
  }

  @Test
  void guestPullsOnly() throws Exception {
    String bearer = f.bearer("gina", "gina-password", "repository:team/app:pull,push");
    assertThat(f.get("/v2/team/app" + BLOB, bearer).statusCode()).isEqualTo(200);
    HttpResponse<String> push = f.send("POST", "/v2/team/app/blobs/uploads/", bearer, null);
    assertThat(push.statusCode()).isEqualTo(403);
    assertThat(errorCode(push)).isEqualTo("DENIED");
  }

  @Test
  void aTokenForAnotherRepositoryIsChallengedWhenTheCallerCouldGetOne() throws Exception {
    String bearer = f.bearer("alice", "alice-password", "repository:team/one:pull");
    HttpResponse<String> resp = f.get("/v2/team/two" + BLOB, bearer);
    assertThat(resp.statusCode()).isEqualTo(401);
    assertThat(resp.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("scope=\"repository:team/two:pull\"").contains("error=\"insufficient_scope\"");
    // Someone else's private namespace: no new token would help.
    HttpResponse<String> other = f.get("/v2/carol-private/x" + BLOB, f.bearer("alice", "alice-password"));
    assertThat(other.statusCode()).isEqualTo(403);
  }

  @Test
  void aUserMayPushToANamespaceNamedAfterThemWhichIsThenCreated() throws Exception {
    assertThat(access(f.token("carol", "carol-password", "repository:carol/app:pull,push"))).containsExactly("pull", "push");
    HttpResponse<String> ns = f.get("/api/v1/namespaces/carol", AuthFixture.basic("carol", "carol-password"));
    assertThat(ns.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ns.body()).getBoolean("public")).isFalse();
    assertThat(access(f.token("alice", "alice-password", "repository:carol/app:pull,push"))).isEmpty();
    // Nobody else's name: no namespace, no push.
    assertThat(access(f.token("alice", "alice-password", "repository:nowhere/app:pull,push"))).isEmpty();
  }

  @Test
  void robotsAreConfinedToTheirNamespaceAndRefusedAfterExpiry() throws Exception {
    JsonObject robot = f.adminCall("POST", "/api/v1/namespaces/team/robots", new JsonObject().put("name", "ci")
        .put("actions", new JsonArray().add("pull").add("push"))
        .put("expiresAt", Instant.now().plusSeconds(3).toString()).encode(), 201);
    assertThat(robot.getString("name")).isEqualTo("robot$team+ci");
    String secret = robot.getString("secret");
    assertThat(secret).isNotBlank();

    HttpResponse<String> resp = f.token("robot$team+ci", secret, "repository:team/app:pull,push,delete",
        "repository:pub/tool:push", "repository:other/app:pull");
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(resp.body()).getString("scope")).isEqualTo("repository:team/app:pull,push");
    String bearer = "Bearer " + new JsonObject(resp.body()).getString("token");
    assertThat(f.send("POST", "/v2/team/app/blobs/uploads/", bearer, null).statusCode()).isEqualTo(202);
    HttpResponse<String> elsewhere = f.send("POST", "/v2/pub/tool/blobs/uploads/",
        "Bearer " + new JsonObject(f.token("robot$team+ci", secret, "repository:pub/tool:push").body()).getString("token"),
        null);
    assertThat(elsewhere.statusCode()).isEqualTo(403);
    assertThat(errorCode(elsewhere)).isEqualTo("DENIED");

    // The robot's list shows it without its secret.
    JsonObject list = f.adminCall("GET", "/api/v1/namespaces/team/robots", null, 200);
    assertThat(list.getJsonArray("robots").getJsonObject(0).containsKey("secret")).isFalse();

    while (Instant.now().isBefore(Instant.parse(robot.getString("expiresAt")).plusMillis(100))) {
      Thread.sleep(100);
    }
    HttpResponse<String> expired = f.token("robot$team+ci", secret, "repository:team/app:pull");
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(errorCode(expired)).isEqualTo("UNAUTHORIZED");
  }

  @Test
  void refreshTokensAndTheOAuth2Grants() throws Exception {
    HttpResponse<String> offline = f.get("/token?service=berth&offline_token=true&client_id=test",
        AuthFixture.basic("alice", "alice-password"));
    String refresh = new JsonObject(offline.body()).getString("refresh_token");
    assertThat(refresh).isNotBlank();

    HttpResponse<String> refreshed = f.send("POST", "/token", null, "grant_type=refresh_token&service=berth"
        + "&client_id=test&scope=repository:team/app:pull&refresh_token=" + refresh);
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    JsonObject body = new JsonObject(refreshed.body());
    assertThat(body.getString("scope")).isEqualTo("repository:team/app:pull");
    assertThat(ForgedTokens.payload(body.getString("access_token")).getString("sub")).isEqualTo("alice");

    HttpResponse<String> password = f.send("POST", "/token", null, "grant_type=password&service=berth"
        + "&client_id=test&access_type=offline&username=alice&password=alice-password&scope=repository:team/app:push");
    assertThat(password.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(password.body()).getString("refresh_token")).isNotBlank();

    // An access token is no refresh token, and a refresh token is no access token.
    String access = new JsonObject(password.body()).getString("access_token");
    assertThat(f.send("POST", "/token", null, "grant_type=refresh_token&refresh_token=" + access).statusCode())
        .isEqualTo(401);
    assertThat(f.get("/v2/", "Bearer " + refresh).statusCode()).isEqualTo(401);

    assertThat(f.send("POST", "/token", null, "grant_type=client_credentials").statusCode()).isEqualTo(400);
    assertThat(f.send("POST", "/token", null, "grant_type=password&username=alice&password=wrong-password")
        .statusCode()).isEqualTo(401);
  }

  @Test
  void badTokenRequestsAreRefused() throws Exception {
    assertThat(f.get("/token?service=other", null).statusCode()).isEqualTo(400);
    assertThat(f.get("/token?service=berth&scope=nonsense", null).statusCode()).isEqualTo(400);
  }

  @Test
  void forgedTokensAreRefused() throws Exception {
    String valid = f.bearer("gina", "gina-password", "repository:team/app:pull").substring(7);
    for (Map.Entry<String, String> forged : ForgedTokens.all(f.keyFile, valid, "team/app").entrySet()) {
      HttpResponse<String> resp = f.send("DELETE", "/v2/team/app" + BLOB, "Bearer " + forged.getValue(), null);
      assertThat(resp.statusCode()).as(forged.getKey()).isEqualTo(401);
      assertThat(errorCode(resp)).as(forged.getKey()).isEqualTo("UNAUTHORIZED");
    }
  }

  @Test
  void proxiedApiNeedsASystemAdminAndGetsAMintedAdminToken() throws Exception {
    assertThat(f.get("/api/v1/webhooks", null).statusCode()).isEqualTo(401);
    HttpResponse<String> alice = f.get("/api/v1/webhooks", AuthFixture.basic("alice", "alice-password"));
    assertThat(alice.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(alice.body()).getJsonObject("error").getString("code")).isEqualTo("forbidden");

    int before = f.registry.requests().size();
    f.get("/api/v1/webhooks", f.admin());
    assertThat(f.registry.requests()).hasSize(before + 1);
    String forwarded = f.registry.last().headers().get("Authorization");
    assertThat(forwarded).startsWith("Bearer ");
    JsonObject claims = ForgedTokens.payload(forwarded.substring(7));
    assertThat(claims.getString("sub")).isEqualTo("admin");
    assertThat(claims.getJsonArray("access").getJsonObject(0).getString("type")).isEqualTo("admin");
  }

  private static String errorCode(HttpResponse<String> resp) {
    return new JsonObject(resp.body()).getJsonArray("errors").getJsonObject(0).getString("code");
  }

  private static java.util.List<Object> access(HttpResponse<String> resp) {
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
    JsonArray access = ForgedTokens.payload(new JsonObject(resp.body()).getString("token")).getJsonArray("access");
    return access.isEmpty() ? java.util.List.of() : access.getJsonObject(0).getJsonArray("actions").getList();
  }
}
