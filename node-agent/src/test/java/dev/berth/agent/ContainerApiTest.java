package dev.berth.agent;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.agent.api.AgentConfig;
import dev.berth.agent.api.AgentVerticle;
import dev.berth.kit.Config;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The REST API's answers to wrong states, bad input and missing credentials: precise, and nothing changes. */
class ContainerApiTest {

    @TempDir
    Path temp;
    AgentHarness agent;

    @BeforeEach
    void start() throws Exception {
        HostTools.requireRuntime();
        agent = new AgentHarness(temp.resolve("state"), Map.of("agent.labels", List.of("zone=a", "disk=ssd")));
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void wrongStateOperationsAre409AndChangeNothing() throws Exception {
        String id = agent.run(spec("sleep", "1000"), true);
        JsonObject running = agent.status(id);

        AgentHarness.Reply start = agent.call("POST", "/v1/containers/" + id + "/start", null);
        AgentHarness.Reply delete = agent.call("DELETE", "/v1/containers/" + id, null);

        assertThat(start.status()).isEqualTo(409);
        assertThat(start.json().getJsonObject("error").getString("code")).isEqualTo("CONTAINER_RUNNING");
        assertThat(delete.status()).isEqualTo(409);
        assertThat(delete.json().getJsonObject("error").getString("code")).isEqualTo("CONTAINER_RUNNING");
        assertThat(agent.status(id)).isEqualTo(running);
        assertThat(runcStatus(id)).isEqualTo("running");

        assertThat(agent.call("POST", "/v1/containers/" + id + "/kill", null).status()).isEqualTo(200);
        JsonObject stopped = agent.await(id, s -> s.getString("state").equals("stopped"));
        assertThat(stopped.getInteger("exitCode")).isEqualTo(137);

        AgentHarness.Reply kill = agent.call("POST", "/v1/containers/" + id + "/kill?signal=TERM", null);
        AgentHarness.Reply stop = agent.call("POST", "/v1/containers/" + id + "/stop", null);
        assertThat(kill.status()).isEqualTo(409);
        assertThat(kill.json().getJsonObject("error").getString("code")).isEqualTo("CONTAINER_NOT_RUNNING");
        assertThat(stop.status()).isEqualTo(409);
        assertThat(agent.status(id)).isEqualTo(stopped);
    }

    @Test
    void forcedDeleteRemovesARunningContainerAndAllItsState() throws Exception {
        String id = agent.run(spec("sleep", "1000"), true);

        AgentHarness.Reply deleted = agent.call("DELETE", "/v1/containers/" + id + "?force=true", null);

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(agent.call("GET", "/v1/containers/" + id, null).status()).isEqualTo(404);
        assertThat(runcStatus(id)).isNull();
        assertThat(agent.stateDir.resolve("containers").resolve(id)).doesNotExist();
    }

    @Test
    void aCreatedContainerIsDeletedWithoutForce() throws Exception {
        String id = agent.run(spec("sleep", "1000"), false);
        assertThat(runcStatus(id)).isEqualTo("created");

        assertThat(agent.call("DELETE", "/v1/containers/" + id, null).status()).isEqualTo(204);

        assertThat(runcStatus(id)).isNull();
        assertThat(containerDirs()).isEmpty();
    }

    @Test
    void anExitedRunIsForgottenByRuncAndTheContainerStartsAgainEvenWhileThatHappens() throws Exception {
        String id = agent.run(spec("sh", "-c", "echo run"), true);
        agent.await(id, s -> s.getString("state").equals("stopped"));

        // at once: the agent may still be deleting runc's record of the first run
        assertThat(agent.call("POST", "/v1/containers/" + id + "/start", null).status()).isEqualTo(200);
        JsonObject second = agent.await(id, s -> s.getString("state").equals("stopped"));
        assertThat(second.getInteger("exitCode")).isZero();
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs", null).body()).isEqualTo("run\nrun\n");

        long deadline = System.currentTimeMillis() + 10_000;
        while (runcStatus(id) != null && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(runcStatus(id)).as("runc's record of an exited run is deleted without a DELETE").isNull();
        assertThat(agent.call("DELETE", "/v1/containers/" + id, null).status()).isEqualTo(204);
        assertThat(containerDirs()).isEmpty();
    }

    @Test
    void namesAreUniqueAndLabelsFilterTheList() throws Exception {
        String web = agent.run(spec("sleep", "1000").put("name", "web").put("labels", new JsonObject().put("app", "shop")
                .put("tier", "front")), false);
        agent.run(spec("sleep", "1000").put("name", "db").put("labels", new JsonObject().put("app", "shop")), false);

        AgentHarness.Reply clash = agent.call("POST", "/v1/containers", spec("true").put("name", "web").encode());

        assertThat(clash.status()).isEqualTo(409);
        assertThat(clash.json().getJsonObject("error").getString("code")).isEqualTo("NAME_IN_USE");
        assertThat(names("")).containsExactlyInAnyOrder("web", "db");
        assertThat(names("?label=app=shop")).containsExactlyInAnyOrder("web", "db");
        assertThat(names("?label=app=shop&label=tier=front")).containsExactly("web");
        assertThat(names("?label=app=other")).isEmpty();
        assertThat(agent.call("GET", "/v1/containers?label=novalue", null).status()).isEqualTo(400);
        assertThat(agent.status("web").getString("id")).isEqualTo(web);
        assertThat(agent.status("web").getString("state")).isEqualTo("created");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json",
        "[1,2]",
        "{}",
        "{\"image\":\"busybox\",\"colour\":\"red\"}",
        "{\"image\":5}",
        "{\"image\":\"busybox\",\"args\":\"sleep 1\"}",
        "{\"image\":\"busybox\",\"args\":[\"sleep\",1]}",
        "{\"image\":\"busybox\",\"env\":{\"A\":1}}",
        "{\"image\":\"busybox\",\"workingDir\":\"relative/dir\"}",
        "{\"image\":\"busybox\",\"volumes\":[{\"source\":\"data\",\"target\":\"/data\"}]}",
        "{\"image\":\"busybox\",\"volumes\":[{\"target\":\"/a/../b\"}]}",
        "{\"image\":\"busybox\",\"resources\":{\"memoryBytes\":-1}}",
        "{\"image\":\"busybox\",\"resources\":{\"cpus\":-0.5}}",
        "{\"image\":\"busybox\",\"resources\":{\"pids\":1.5}}",
        "{\"image\":\"busybox\",\"restartPolicy\":\"on-failure:x\"}",
        "{\"image\":\"busybox\",\"restartPolicy\":\"on-failure:-1\"}",
        "{\"image\":\"busybox\",\"restartPolicy\":\"sometimes\"}",
        "{\"image\":\"busybox\",\"hooks\":{\"prestart\":[]}}",
        "{\"image\":\"busybox\",\"hooks\":{\"poststop\":[{\"path\":\"bin/true\"}]}}",
        "{\"image\":\"busybox\",\"name\":\"bad name!\"}",
    })
    void badCreateBodiesAre400AndLeaveNothing(String body) throws Exception {
        AgentHarness.Reply reply = agent.call("POST", "/v1/containers", body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().getJsonObject("error").getString("code")).isIn("INVALID_SPEC", "INVALID_JSON");
        assertThat(reply.json().getJsonObject("error").getString("message")).isNotBlank();
        assertThat(names("")).isEmpty();
        assertThat(containerDirs()).isEmpty();
    }

    @Test
    void failedCreationsLeaveNothingBehind() throws Exception {
        AgentHarness.Reply noImage = agent.call("POST", "/v1/containers", spec("true").put("image", "missing").encode());
        AgentHarness.Reply badLayer = agent.call("POST", "/v1/containers", spec("true").put("image", "slow-fail").encode());
        AgentHarness.Reply noBinary = agent.call("POST", "/v1/containers", spec("/no/such/program").encode());

        assertThat(noImage.status()).isEqualTo(404);
        assertThat(noImage.json().getJsonObject("error").getString("code")).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(badLayer.status()).isEqualTo(400);
        assertThat(badLayer.json().getJsonObject("error").getString("code")).isEqualTo("INVALID_LAYER");
        assertThat(noBinary.status()).isEqualTo(400);
        assertThat(noBinary.json().getJsonObject("error").getString("code")).isEqualTo("CREATE_FAILED");
        assertThat(noBinary.json().getJsonObject("error").getString("message")).contains("/no/such/program");
        assertThat(names("")).isEmpty();
        assertThat(containerDirs()).isEmpty();
        assertThat(runcIds()).isEmpty();
    }

    @Test
    void badQueryParametersAre400() throws Exception {
        String id = agent.run(spec("sleep", "1000"), true);

        assertThat(agent.call("POST", "/v1/containers/" + id + "/kill?signal=SIGFOO", null).status()).isEqualTo(400);
        assertThat(agent.call("POST", "/v1/containers/" + id + "/kill?signal=99", null).status()).isEqualTo(400);
        assertThat(agent.call("POST", "/v1/containers/" + id + "/stop?timeout=-1", null).status()).isEqualTo(400);
        assertThat(agent.call("DELETE", "/v1/containers/" + id + "?force=maybe", null).status()).isEqualTo(400);
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs?stream=stdin", null).status()).isEqualTo(400);
        assertThat(agent.call("GET", "/v1/containers/" + id + "/logs?tail=x", null).status()).isEqualTo(400);
        assertThat(agent.status(id).getString("state")).isEqualTo("running");
        assertThat(agent.call("GET", "/v1/containers/nope", null).status()).isEqualTo(404);
    }

    @Test
    void everythingUnderV1NeedsTheToken() throws Exception {
        assertThat(agent.call("GET", "/v1/containers", null, null).status()).isEqualTo(401);
        assertThat(agent.call("GET", "/v1/node", null, "wrong").status()).isEqualTo(401);
        AgentHarness.Reply create = agent.call("POST", "/v1/containers", spec("true").encode(), "wrong");
        assertThat(create.status()).isEqualTo(401);
        assertThat(create.json().getJsonObject("error").getString("code")).isEqualTo("UNAUTHORIZED");
        assertThat(containerDirs()).isEmpty();
        assertThat(agent.call("GET", "/health", null, null).status()).isEqualTo(200);
        assertThat(agent.call("GET", "/ready", null, null).status()).isEqualTo(200);
    }

    @Test
    void withoutATokenTheAgentRefusesToStartUnlessToldToRunInsecure() {
        Map<String, Object> tree = Map.of("agent.state-dir", temp.resolve("other").toString());
        AgentConfig noToken = AgentConfig.from(Config.of(tree, Map.of()));
        assertThatThrownBy(() -> new AgentVerticle(noToken, new BusyboxBundleFactory()))
                .hasMessageContaining("agent.token");
        AgentConfig insecure = AgentConfig.from(Config.of(tree, Map.of("BERTH_AGENT_INSECURE_NO_AUTH", "true")));
        new AgentVerticle(insecure, new BusyboxBundleFactory());
    }

    @Test
    void extraRoutesAreMountedBehindTheToken() throws Exception {
        try (AgentHarness withImages = new AgentHarness(temp.resolve("images"), Map.of(), List.of(router ->
                router.get("/v1/images").handler(ctx -> ctx.response().end("{\"images\":[]}"))))) {
            assertThat(withImages.call("GET", "/v1/images", null).body()).isEqualTo("{\"images\":[]}");
            assertThat(withImages.call("GET", "/v1/images", null, null).status()).isEqualTo(401);
        }
    }

    @Test
    void nodeDescribesTheHost() throws Exception {
        agent.run(spec("sleep", "1000"), true);
        agent.run(spec("true"), false);

        JsonObject node = agent.call("GET", "/v1/node", null).json();

        assertThat(node.getInteger("cpus")).isPositive();
        assertThat(node.getLong("memoryBytes")).isPositive();
        assertThat(node.getJsonObject("disk").getLong("totalBytes")).isPositive();
        assertThat(node.getString("kernel")).isEqualTo(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
        assertThat(node.getString("runcVersion")).startsWith("runc version");
        assertThat(node.getString("conmonVersion")).startsWith("conmon version");
        assertThat(node.getJsonObject("labels").getMap()).isEqualTo(Map.of("zone", "a", "disk", "ssd"));
        assertThat(node.getJsonObject("containers").getInteger("running")).isEqualTo(1);
        assertThat(node.getJsonObject("containers").getInteger("created")).isEqualTo(1);
        assertThat(node.getJsonObject("containers").getInteger("total")).isEqualTo(2);
    }

    @Test
    void eventsStreamTheLifecycle() throws Exception {
        List<JsonObject> events = agent.recordEvents();
        String id = agent.run(spec("sh", "-c", "exit 7"), true);
        agent.await(id, s -> s.getString("state").equals("stopped"));
        assertThat(agent.call("DELETE", "/v1/containers/" + id, null).status()).isEqualTo(204);

        AgentHarness.waitFor(() -> events.size() >= 4, "four events");
        assertThat(events).extracting(e -> e.getString("type")).containsExactly("created", "started", "exited", "deleted");
        assertThat(events).allSatisfy(e -> assertThat(e.getString("id")).isEqualTo(id));
        assertThat(events.get(2).getInteger("exitCode")).isEqualTo(7);
        assertThat(events.get(2).getBoolean("oomKilled")).isFalse();
    }

    private List<String> names(String query) throws Exception {
        JsonArray list = agent.call("GET", "/v1/containers" + query, null).json().getJsonArray("containers");
        List<String> names = new ArrayList<>();
        list.forEach(c -> names.add(((JsonObject) c).getString("name")));
        return names;
    }

    private List<Path> containerDirs() throws Exception {
        Path dir = agent.stateDir.resolve("containers");
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }

    private List<String> runcIds() throws Exception {
        Process p = new ProcessBuilder(HostTools.RUNC.toString(), "--root", agent.runcRoot().toString(), "list", "-q")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private String runcStatus(String id) throws Exception {
        Process p = new ProcessBuilder(HostTools.RUNC.toString(), "--root", agent.runcRoot().toString(), "state", id)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 ? new JsonObject(out).getString("status") : null;
    }
}
