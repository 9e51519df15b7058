package dev.berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Brute-force protection: a user who fails too often is locked, also for the right password. */
@ExtendWith(PostgresExtension.class)
class LoginLockoutTest {

  @Test
  void repeatedFailuresLockTheUserWithRetryAfter(PostgresDatabase db, @TempDir Path dir) throws Exception {
    try (AuthFixture f = new AuthFixture(db, dir, 3)) {
      f.createUser("victim", "victim-password");
      for (int i = 0; i < 3; i++) {
        assertThat(f.token("victim", "guess-" + i).statusCode()).isEqualTo(401);
      }
      HttpResponse<String> locked = f.token("victim", "victim-password");
      assertThat(locked.statusCode()).isEqualTo(429);
      assertThat(new JsonObject(locked.body()).getJsonArray("errors").getJsonObject(0).getString("code"))
          .isEqualTo("TOOMANYREQUESTS");
      assertThat(Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 600L);

      // Basic on the API and the OAuth2 password grant are locked too.
      HttpResponse<String> api = f.get("/api/v1/users/victim", AuthFixture.basic("victim", "victim-password"));
      assertThat(api.statusCode()).isEqualTo(429);
      assertThat(new JsonObject(api.body()).getJsonObject("error").getString("code")).isEqualTo("too_many_requests");
      assertThat(f.send("POST", "/token", null, "grant_type=password&username=victim&password=victim-password")
          .statusCode()).isEqualTo(429);

      // Others are not: the admin still logs in.
      assertThat(f.token("admin", AuthFixture.ADMIN_PASSWORD).statusCode()).isEqualTo(200);
    }
  }
}
