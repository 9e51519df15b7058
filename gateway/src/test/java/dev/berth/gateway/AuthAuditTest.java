package dev.berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Authentication and the audit log together: logins are audited, pushes name who made them, only admins read. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthAuditTest {

  private AuthFixture f;

  @BeforeAll
  void start(PostgresDatabase db, @TempDir Path dir) throws Exception {
    f = new AuthFixture(db, dir, 100, true);
    f.createNamespace("team", false);
    f.createUser("alice", "alice-password");
    f.addMember("team", "alice", "developer");
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  @Test
  void loginsAndPushesAreRecordedWithTheirActorAndOnlyAdminsReadThem() throws Exception {
    String alice = f.bearer("alice", "alice-password", "repository:team/app:pull,push");
    assertThat(f.token("alice", "wrong-password", "repository:team/app:pull").statusCode()).isEqualTo(401);
    assertThat(f.token(null, null, "repository:team/app:pull").statusCode()).isEqualTo(200);
    assertThat(f.send("PUT", "/v2/team/app/manifests/v1", alice, "{\"schemaVersion\":2}").statusCode()).isEqualTo(201);

    HttpResponse<String> refused = f.get("/api/v1/audit", AuthFixture.basic("alice", "alice-password"));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(f.get("/api/v1/audit", null).statusCode()).isEqualTo(401);

    List<String> seen = awaitEntries(3);
    assertThat(seen).contains("login alice user 200", "login_failed alice user 401", "push alice user 201");
    assertThat(seen).noneMatch(e -> e.startsWith("login null"));
  }

  /** "action actor kind status" of every entry, once at least {@code count} non-admin entries are there. */
  private List<String> awaitEntries(int count) throws Exception {
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> page = f.get("/api/v1/audit?limit=100",
          AuthFixture.basic("admin", AuthFixture.ADMIN_PASSWORD));
      assertThat(page.statusCode()).isEqualTo(200);
      entries.clear();
      JsonArray all = new JsonObject(page.body()).getJsonArray("entries");
      for (int j = 0; j < all.size(); j++) {
        JsonObject e = all.getJsonObject(j);
        JsonObject actor = e.getJsonObject("actor");
        entries.add(e.getString("action") + " " + actor.getString("subject") + " " + actor.getString("kind") + " "
            + e.getInteger("status"));
      }
      if (entries.stream().filter(e -> !e.contains(" admin ")).count() >= count) {
        return entries;
      }
      Thread.sleep(100);
    }
    return entries;
  }
}
