package dev.berth.registry.gc;

import static dev.berth.registry.gc.GcRegistry.Blob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.oci.Digest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The admin API: starting runs, reading their reports, bad requests, one run at a time, the schedule. */
@ExtendWith(PostgresExtension.class)
class GcApiTest {

    private static Vertx vertx;
    private static GcRegistry registry;
    private static PostgresDatabase database;

    @BeforeAll
    static void start(PostgresDatabase db, @TempDir Path storage) throws Exception {
        vertx = Vertx.vertx();
        database = db;
        registry = GcRegistry.start(vertx, db, storage, Map.of("registry.gc.delete-untagged", true));
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @BeforeEach
    void empty() throws Exception {
        registry.sql("truncate repositories, blobs, uploads, gc_runs cascade");
    }

    /** Reads the run until it is no longer running (a state, not a time, ends the wait). */
    private static JsonObject finished(String id) throws Exception {
        for (int i = 0; i < 600; i++) {
            GcRegistry.Reply run = registry.api("GET", "/api/v1/gc/runs/" + id, null);
            assertThat(run.status()).isEqualTo(200);
            if (!run.json().getString("status").equals("running")) {
                return run.json();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + id + " still running");
    }

    @Test
    void aDryRunReportsWhatARealRunThenDeletes() throws Exception {
        Blob layer = Blob.of("api layer");
        Blob config = Blob.of("{\"api\":1}");
        byte[] manifest = registry.pushImage("api/app", "v1", config, List.of(layer));
        registry.send("DELETE", "/v2/api/app/manifests/v1", null, null);
        registry.ageEverything();

        GcRegistry.Reply started = registry.api("POST", "/api/v1/gc", "{\"dryRun\": true}");
        assertThat(started.status()).isEqualTo(202);
        assertThat(started.json().getString("status")).isEqualTo("running");
        assertThat(started.json().getBoolean("dryRun")).isTrue();
        assertThat(started.json().getString("trigger")).isEqualTo("api");
        JsonObject dry = finished(started.json().getString("id"));
        JsonObject expected = new JsonObject().put("manifests", 1).put("manifestBytes", manifest.length)
                .put("blobLinks", 2).put("blobs", 2).put("blobBytes", layer.bytes().length + config.bytes().length)
                .put("uploads", 0).put("uploadBytes", 0);
        assertThat(dry.getString("status")).isEqualTo("succeeded");
        assertThat(dry.getString("finishedAt")).isNotNull();
        assertThat(dry.getJsonObject("report")).isEqualTo(expected);
        assertThat(registry.getManifest("api/app", Digest.sha256(manifest).toString())).isEqualTo(200);
        assertThat(registry.storedBytes(layer.digest())).isTrue(); // a pull would restart the link's grace period

        GcRegistry.Reply real = registry.api("POST", "/api/v1/gc", "{\"dryRun\":false}");
        assertThat(real.status()).isEqualTo(202);
        JsonObject done = finished(real.json().getString("id"));
        assertThat(done.getJsonObject("report")).isEqualTo(expected);
        assertThat(registry.getManifest("api/app", Digest.sha256(manifest).toString())).isEqualTo(404);
        assertThat(registry.storedBytes(layer.digest())).isFalse();

        JsonArray runs = registry.api("GET", "/api/v1/gc/runs", null).json().getJsonArray("runs");
        assertThat(runs).hasSize(2);
        assertThat(runs.getJsonObject(0).getString("id")).isEqualTo(done.getString("id"));
        assertThat(registry.api("GET", "/api/v1/gc/runs?limit=1", null).json().getJsonArray("runs")).hasSize(1);
    }

    @Test
    void badRequestsGetAClearErrorAndStartNothing() throws Exception {
        for (String body : List.of("", "{}", "[]", "{\"dryRun\":\"yes\"}", "{\"dryRun\":true,\"force\":1}", "{not json")) {
            GcRegistry.Reply reply = registry.api("POST", "/api/v1/gc", body.isEmpty() ? null : body);
            assertThat(reply.status()).as("body %s", body).isEqualTo(400);
            assertThat(reply.json().getJsonObject("error").getString("code")).isEqualTo("invalid_request");
            assertThat(reply.json().getJsonObject("error").getString("message")).isNotBlank();
        }
        var wrongType = registry.send("POST", "/api/v1/gc", "text/plain", "{\"dryRun\":true}".getBytes());
        assertThat(wrongType.statusCode()).isEqualTo(400);
        var tooBig = registry.send("POST", "/api/v1/gc", "application/json", new byte[16 * 1024]);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(registry.api("GET", "/api/v1/gc/runs?limit=0", null).status()).isEqualTo(400);
        assertThat(registry.api("GET", "/api/v1/gc/runs?limit=x", null).status()).isEqualTo(400);

        GcRegistry.Reply unknown = registry.api("GET", "/api/v1/gc/runs/" + java.util.UUID.randomUUID(), null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().getJsonObject("error").getString("code")).isEqualTo("gc_run_not_found");
        assertThat(registry.api("GET", "/api/v1/gc/runs/not-a-uuid", null).status()).isEqualTo(404);
        assertThat(registry.count("select count(*) from gc_runs")).isZero();
    }

    @Test
    void onlyOneRunAtATimeAndARunLeftOverFromADeadInstanceIsMarkedFailed() throws Exception {
        registry.sql("insert into gc_runs (id, dry_run, trigger, status) values (gen_random_uuid(), false, 'api', 'running')");
        // Another replica's run: a connection of its own that holds the lock.
        SqlConnection other = PgConnection.connect(vertx, new PgConnectOptions().setHost(database.host())
                .setPort(database.port()).setDatabase(database.database()).setUser(database.user())
                .setPassword(database.password())).await(10, TimeUnit.SECONDS);
        other.preparedQuery("select pg_advisory_lock($1)").execute(Tuple.of(GcRunner.RUN_LOCK)).await(10, TimeUnit.SECONDS);

        GcRegistry.Reply busy = registry.api("POST", "/api/v1/gc", "{\"dryRun\":true}");
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.json().getJsonObject("error").getString("code")).isEqualTo("gc_running");

        other.close().await(10, TimeUnit.SECONDS); // that replica dies: its lock goes with the connection
        GcRegistry.Reply started = registry.api("POST", "/api/v1/gc", "{\"dryRun\":true}");
        assertThat(started.status()).isEqualTo(202);
        finished(started.json().getString("id"));
        JsonArray runs = registry.api("GET", "/api/v1/gc/runs", null).json().getJsonArray("runs");
        JsonObject orphan = runs.stream().map(JsonObject.class::cast)
                .filter(r -> !r.getString("id").equals(started.json().getString("id"))).findFirst().orElseThrow();
        assertThat(orphan.getString("status")).isEqualTo("failed");
        assertThat(orphan.getString("error")).contains("interrupted");
    }

    @Test
    void theScheduleRunsCollectionsOnItsOwn(@TempDir Path storage) throws Exception {
        Blob layer = Blob.of("scheduled layer");
        registry.upload("api/scheduled", layer);
        registry.ageEverything();
        try (GcRegistry scheduled = GcRegistry.start(vertx, database, registry.storage(),
                Map.of("registry.gc.interval", "200ms"))) {
            JsonObject run = null;
            for (int i = 0; i < 600 && run == null; i++) {
                JsonArray runs = scheduled.api("GET", "/api/v1/gc/runs", null).json().getJsonArray("runs");
                run = runs.stream().map(JsonObject.class::cast)
                        .filter(r -> r.getString("trigger").equals("schedule") && r.getString("status").equals("succeeded"))
                        .findFirst().orElse(null);
                Thread.sleep(50);
            }
            assertThat(run).as("a scheduled run finished").isNotNull();
            assertThat(run.getBoolean("dryRun")).isFalse();
        }
        assertThat(registry.headBlob("api/scheduled", layer.digest())).isEqualTo(404);
        assertThat(registry.storedBytes(layer.digest())).isFalse();
    }
}
