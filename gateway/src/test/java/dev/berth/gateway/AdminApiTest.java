package dev.berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The identity admin API: validation, precise errors, and who may do what. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {

  private AuthFixture f;

  @BeforeAll
  void start(PostgresDatabase db, @TempDir Path dir) throws Exception {
    f = new AuthFixture(db, dir, 100);
    f.createUser("nadia", "nadia-password");
    f.createUser("dev", "dev-password");
    f.createNamespace("shop", false);
    f.addMember("shop", "nadia", "admin");
    f.addMember("shop", "dev", "developer");
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  @Test
  void theFirstStartCreatedAdminFromTheConfiguredPassword() throws Exception {
    JsonObject admin = f.adminCall("GET", "/api/v1/users/admin", null, 200);
    assertThat(admin.getBoolean("systemAdmin")).isTrue();
    assertThat(admin.containsKey("password")).isFalse();
    assertThat(admin.encode()).doesNotContain("hash");
  }

  @Test
  void usersAreCreatedListedChangedAndDeleted() throws Exception {
    JsonObject created = f.adminCall("POST", "/api/v1/users",
        "{\"name\":\"temp.user\",\"password\":\"temp-password\"}", 201);
    assertThat(created.getString("name")).isEqualTo("temp.user");
    assertThat(created.getBoolean("systemAdmin")).isFalse();
    assertThat(f.adminCall("GET", "/api/v1/users", null, 200).getJsonArray("users").encode()).contains("temp.user");

    // A user changes their own password and logs in with the new one.
    assertThat(f.send("PUT", "/api/v1/users/temp.user/password", AuthFixture.basic("temp.user", "temp-password"),
        "{\"password\":\"new-temp-password\"}").statusCode()).isEqualTo(204);
    assertThat(f.token("temp.user", "temp-password").statusCode()).isEqualTo(401);
    assertThat(f.token("temp.user", "new-temp-password").statusCode()).isEqualTo(200);

    f.adminCall("DELETE", "/api/v1/users/temp.user", null, 204);
    f.adminCall("GET", "/api/v1/users/temp.user", null, 404);
    assertThat(f.token("temp.user", "new-temp-password").statusCode()).isEqualTo(401);
  }

  @Test
  void aPasswordChangeEndsTheRefreshTokensIssuedBeforeIt() throws Exception {
    f.adminCall("POST", "/api/v1/users", "{\"name\":\"refresh.user\",\"password\":\"first-password\"}", 201);
    String before = refreshToken("refresh.user", "first-password");
    assertThat(refresh(before).statusCode()).as("a fresh refresh token works").isEqualTo(200);

    assertThat(f.send("PUT", "/api/v1/users/refresh.user/password", AuthFixture.basic("refresh.user", "first-password"),
        "{\"password\":\"second-password\"}").statusCode()).isEqualTo(204);
    HttpResponse<String> refused = refresh(before);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("log in again");

    String after = refreshToken("refresh.user", "second-password");
    assertThat(refresh(after).statusCode()).isEqualTo(200);

    // Deleted and created again under the same name: the old account's tokens do not carry over.
    f.adminCall("DELETE", "/api/v1/users/refresh.user", null, 204);
    f.adminCall("POST", "/api/v1/users", "{\"name\":\"refresh.user\",\"password\":\"second-password\"}", 201);
    assertThat(refresh(after).statusCode()).isEqualTo(401);
    f.adminCall("DELETE", "/api/v1/users/refresh.user", null, 204);
  }

  private String refreshToken(String user, String password) throws Exception {
    HttpResponse<String> offline = f.get("/token?service=berth&offline_token=true&client_id=test",
        AuthFixture.basic(user, password));
    assertThat(offline.statusCode()).as(offline.body()).isEqualTo(200);
    return new JsonObject(offline.body()).getString("refresh_token");
  }

  private HttpResponse<String> refresh(String refreshToken) throws Exception {
    return f.send("POST", "/token", null, "grant_type=refresh_token&service=berth&client_id=test&refresh_token="
        + refreshToken);
  }

  @Test
  void badInputIsRefusedWithAPreciseErrorAndChangesNothing() throws Exception {
    assertError(f.send("POST", "/api/v1/users", f.admin(), "{\"name\":\"Bad Name\",\"password\":\"long-enough\"}"),
        400, "invalid_input");
    assertError(f.send("POST", "/api/v1/users", f.admin(), "{\"name\":\"shorty\",\"password\":\"short\"}"),
        400, "invalid_input");
    assertError(f.send("POST", "/api/v1/users", f.admin(), "{\"name\":\"x\",\"password\":\"long-enough\",\"role\":1}"),
        400, "invalid_input");
    assertError(f.send("POST", "/api/v1/users", f.admin(), "not json"), 400, "invalid_input");
    assertError(f.send("POST", "/api/v1/users", f.admin(), "{\"name\":\"nadia\",\"password\":\"long-enough\"}"),
        409, "user_exists");
    assertError(f.send("POST", "/api/v1/namespaces", f.admin(), "{\"name\":\"shop\"}"), 409, "namespace_exists");
    assertError(f.send("POST", "/api/v1/namespaces", f.admin(), "{\"name\":\"UPPER\"}"), 400, "invalid_input");
    assertError(f.send("PUT", "/api/v1/namespaces/shop/members/dev", f.admin(), "{\"role\":\"owner\"}"),
        400, "invalid_input");
    assertError(f.send("PUT", "/api/v1/namespaces/shop/members/ghost", f.admin(), "{\"role\":\"guest\"}"),
        404, "user_not_found");
    assertError(f.send("PUT", "/api/v1/namespaces/nowhere/members/dev", f.admin(), "{\"role\":\"guest\"}"),
        404, "namespace_not_found");
    assertError(f.send("DELETE", "/api/v1/namespaces/shop/members/admin", f.admin(), null), 404, "member_not_found");
    assertError(f.send("POST", "/api/v1/namespaces/shop/robots", f.admin(), "{\"name\":\"r\",\"actions\":[\"fly\"]}"),
        400, "invalid_input");
    assertError(f.send("POST", "/api/v1/namespaces/shop/robots", f.admin(),
        "{\"name\":\"r\",\"actions\":[\"pull\"],\"expiresAt\":\"2001-01-01T00:00:00Z\"}"), 400, "invalid_input");
    assertError(f.send("POST", "/api/v1/users", f.admin(), "{\"name\":\"big\",\"password\":\"" + "p".repeat(20_000) + "\"}"),
        413, "body_too_large");
    assertError(f.send("DELETE", "/api/v1/users/admin", f.admin(), null), 409, "last_admin");

    JsonObject users = f.adminCall("GET", "/api/v1/users", null, 200);
    assertThat(users.encode()).doesNotContain("Bad Name").doesNotContain("shorty").doesNotContain("\"big\"");
    assertThat(f.adminCall("GET", "/api/v1/namespaces/shop/robots", null, 200).getJsonArray("robots")).isEmpty();
    assertThat(f.adminCall("GET", "/api/v1/namespaces/shop/members", null, 200).getJsonArray("members")).hasSize(2);
  }

  @Test
  void onlySystemAdminsManageUsersAndNamespaces() throws Exception {
    String dev = AuthFixture.basic("dev", "dev-password");
    assertError(f.get("/api/v1/users", null), 401, "unauthorized");
    assertError(f.get("/api/v1/users", AuthFixture.basic("dev", "wrong-password")), 401, "unauthorized");
    assertError(f.get("/api/v1/users", dev), 403, "forbidden");
    assertError(f.send("POST", "/api/v1/users", dev, "{\"name\":\"sneaky\",\"password\":\"long-enough\"}"),
        403, "forbidden");
    assertError(f.get("/api/v1/users/nadia", dev), 403, "forbidden");
    assertError(f.send("POST", "/api/v1/namespaces", dev, "{\"name\":\"mine\"}"), 403, "forbidden");
    assertError(f.send("DELETE", "/api/v1/namespaces/shop", dev, null), 403, "forbidden");
    assertError(f.send("PATCH", "/api/v1/namespaces/shop", dev, "{\"public\":true}"), 403, "forbidden");
    assertError(f.send("PUT", "/api/v1/namespaces/shop/members/dev", dev, "{\"role\":\"admin\"}"), 403, "forbidden");
    assertThat(f.adminCall("GET", "/api/v1/namespaces/shop/members", null, 200).encode())
        .contains("{\"user\":\"dev\",\"role\":\"developer\"}");
    // A bearer token from /token works on the API too.
    assertThat(f.get("/api/v1/users/dev", f.bearer("dev", "dev-password")).statusCode()).isEqualTo(200);
  }

  @Test
  void aNamespaceAdminManagesTheirNamespace() throws Exception {
    String nadia = AuthFixture.basic("nadia", "nadia-password");
    f.createUser("helper", "helper-password");
    HttpResponse<String> added = f.send("PUT", "/api/v1/namespaces/shop/members/helper", nadia, "{\"role\":\"guest\"}");
    assertThat(added.statusCode()).isEqualTo(201);
    assertThat(f.send("PUT", "/api/v1/namespaces/shop/members/helper", nadia, "{\"role\":\"maintainer\"}").statusCode())
        .isEqualTo(200);
    assertThat(f.send("DELETE", "/api/v1/namespaces/shop/members/helper", nadia, null).statusCode()).isEqualTo(204);

    HttpResponse<String> robot = f.send("POST", "/api/v1/namespaces/shop/robots", nadia,
        "{\"name\":\"deployer\",\"actions\":[\"pull\"]}");
    assertThat(robot.statusCode()).isEqualTo(201);
    assertThat(new JsonObject(robot.body()).getString("secret")).isNotBlank();
    assertError(f.send("POST", "/api/v1/namespaces/shop/robots", nadia, "{\"name\":\"deployer\",\"actions\":[\"pull\"]}"),
        409, "robot_exists");
    assertThat(f.send("DELETE", "/api/v1/namespaces/shop/robots/deployer", nadia, null).statusCode()).isEqualTo(204);
    assertError(f.send("DELETE", "/api/v1/namespaces/shop/robots/deployer", nadia, null), 404, "robot_not_found");

    HttpResponse<String> madePublic = f.send("PATCH", "/api/v1/namespaces/shop", nadia, "{\"public\":true}");
    assertThat(new JsonObject(madePublic.body()).getBoolean("public")).isTrue();
    assertThat(f.send("PATCH", "/api/v1/namespaces/shop", nadia, "{\"public\":false}").statusCode()).isEqualTo(200);
    // But not the whole namespace, nor anyone else's.
    assertError(f.send("DELETE", "/api/v1/namespaces/shop", nadia, null), 403, "forbidden");
  }

  @Test
  void namespacesAreCreatedUpdatedListedAndDeleted() throws Exception {
    f.adminCall("POST", "/api/v1/namespaces", "{\"name\":\"tmp-ns\",\"public\":true}", 201);
    assertThat(f.get("/api/v1/namespaces", AuthFixture.basic("dev", "dev-password")).body())
        .contains("tmp-ns").contains("shop");
    assertThat(f.adminCall("PATCH", "/api/v1/namespaces/tmp-ns", "{\"public\":false}", 200).getBoolean("public")).isFalse();
    // A private namespace the caller is no member of is not shown.
    assertThat(f.get("/api/v1/namespaces", AuthFixture.basic("dev", "dev-password")).body()).doesNotContain("tmp-ns");
    assertError(f.get("/api/v1/namespaces/tmp-ns", AuthFixture.basic("dev", "dev-password")), 404, "namespace_not_found");
    f.adminCall("DELETE", "/api/v1/namespaces/tmp-ns", null, 204);
    f.adminCall("DELETE", "/api/v1/namespaces/tmp-ns", null, 404);
  }

  private static void assertError(HttpResponse<String> resp, int status, String code) {
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(status);
    assertThat(new JsonObject(resp.body()).getJsonObject("error").getString("code")).as(resp.body()).isEqualTo(code);
    assertThat(new JsonObject(resp.body()).getJsonObject("error").getString("message")).isNotBlank();
  }
}
