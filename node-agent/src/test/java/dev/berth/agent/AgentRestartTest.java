package dev.berth.agent;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's JVM is killed with SIGKILL and started again on the same state: containers keep running and are
 * adopted, exits that happened meanwhile are recorded with their codes, half-made leftovers are cleaned up.
 */
class AgentRestartTest {

    private static final String TOKEN = "restart-test-token";

    @TempDir
    Path temp;
    Path state;
    Process agentProcess;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        HostTools.requireRuntime();
        state = temp.resolve("state");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agentProcess != null) {
            agentProcess.destroyForcibly().waitFor();
        }
        AgentHarness.removeRuncContainers(state.resolve("runc"));
    }

    @Test
    void containersSurviveAKilledAgentAndAreAdoptedByTheNextOne() throws Exception {
        startAgent("first");
        String adopted = create(spec("sh", "-c", "while [ ! -f /stop-now ]; do sleep 0.1; done; echo bye; exit 9"));
        String exitsWhileDown = create(spec("sh", "-c", "while [ ! -f /stop-now ]; do sleep 0.1; done; exit 5"));
        String restartsAfterDown = create(spec("sh", "-c", "while [ ! -f /stop-now ]; do sleep 0.1; done; exit 4")
                .put("restartPolicy", "on-failure:1"));
        int pidBefore = post("/v1/containers/" + adopted + "/start").getInteger("pid");
        post("/v1/containers/" + exitsWhileDown + "/start");
        post("/v1/containers/" + restartsAfterDown + "/start");

        agentProcess.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no goodbye
        agentProcess = null;

        assertThat(runcState(adopted).getString("status")).isEqualTo("running");
        assertThat(runcState(adopted).getInteger("pid")).isEqualTo(pidBefore);
        // two containers exit while no agent watches
        stopNow(exitsWhileDown);
        stopNow(restartsAfterDown);
        AgentHarness.waitFor(() -> Files.exists(exitFile(exitsWhileDown)) && Files.exists(exitFile(restartsAfterDown)),
                "conmon to record both exits");
        List<Path> leftovers = makeLeftovers();
        java.time.Instant secondStarts = java.time.Instant.now();

        startAgent("second");

        JsonObject running = get("/v1/containers/" + adopted);
        assertThat(running.getString("state")).isEqualTo("running");
        assertThat(running.getInteger("pid")).isEqualTo(pidBefore);
        JsonObject exited = get("/v1/containers/" + exitsWhileDown);
        assertThat(exited.getString("state")).isEqualTo("stopped");
        assertThat(exited.getInteger("exitCode")).isEqualTo(5);
        // the exit is dated when it happened, not when the second agent found it
        assertThat(java.time.Instant.parse(exited.getString("finishedAt"))).isBefore(secondStarts);
        assertThat(awaitStatus(restartsAfterDown, s -> s.getInteger("restartCount") == 1).getInteger("restartCount"))
                .isEqualTo(1);
        for (Path leftover : leftovers) {
            assertThat(leftover).doesNotExist();
        }
        assertThat(runcState("leftover-runc")).isNull();

        stopNow(adopted);
        JsonObject later = awaitStatus(adopted, s -> s.getString("state").equals("stopped"));
        assertThat(later.getInteger("exitCode")).isEqualTo(9);
        assertThat(call("GET", "/v1/containers/" + adopted + "/logs").body()).isEqualTo("bye\n");
    }

    private List<Path> makeLeftovers() throws Exception {
        BusyboxBundleFactory factory = new BusyboxBundleFactory();
        Path containers = state.resolve("containers");
        // 1. creation interrupted: status "creating", bundle written
        Path creating = containers.resolve("c0ffee00000000000000000000000001");
        factory.create("c0ffee00000000000000000000000001", dev.berth.agent.spec.ContainerSpecJson.parse(spec("true")),
                creating.resolve("bundle"));
        Files.writeString(creating.resolve("status.json"), new JsonObject().put("id", creating.getFileName().toString())
                .put("name", "x").put("state", "creating").put("createdAt", "2026-01-01T00:00:00Z").encode());
        // 2. a bundle without any status
        Path bare = containers.resolve("c0ffee00000000000000000000000002");
        factory.create("c0ffee00000000000000000000000002", dev.berth.agent.spec.ContainerSpecJson.parse(spec("true")),
                bare.resolve("bundle"));
        // 3. a runc container the agent has no status for
        Path bundle = temp.resolve("stray-bundle");
        factory.create("leftover-runc", dev.berth.agent.spec.ContainerSpecJson.parse(spec("sleep", "1000")), bundle);
        Process create = new ProcessBuilder(HostTools.RUNC.toString(), "--root", state.resolve("runc").toString(),
                "create", "--bundle", bundle.toString(), "leftover-runc")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(create.waitFor()).isZero();
        assertThat(runcState("leftover-runc").getString("status")).isEqualTo("created");
        return List.of(creating, bare);
    }

    private void startAgent(String name) throws Exception {
        Path portFile = temp.resolve(name + ".port");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        agentProcess = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, AgentProcessMain.class.getName(), state.toString(), portFile.toString(), TOKEN)
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve(name + ".log").toFile())
                .start();
        AgentHarness.waitFor(() -> Files.exists(portFile) || !agentProcess.isAlive(), "the agent to listen");
        assertThat(agentProcess.isAlive()).as("agent process (see %s)", temp.resolve(name + ".log")).isTrue();
        base = "http://127.0.0.1:" + Files.readString(portFile).strip();
    }

    private String create(JsonObject spec) throws Exception {
        HttpResponse<String> r = call("POST", "/v1/containers", spec.encode());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return new JsonObject(r.body()).getString("id");
    }

    private JsonObject post(String path) throws Exception {
        HttpResponse<String> r = call("POST", path, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private JsonObject get(String path) throws Exception {
        HttpResponse<String> r = call("GET", path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private JsonObject awaitStatus(String id, java.util.function.Predicate<JsonObject> condition) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        JsonObject status = get("/v1/containers/" + id);
        while (!condition.test(status)) {
            assertThat(System.currentTimeMillis()).as("last status %s", status).isLessThan(deadline);
            Thread.sleep(50);
            status = get("/v1/containers/" + id);
        }
        return status;
    }

    private HttpResponse<String> call(String method, String path) throws IOException, InterruptedException {
        return call(method, path, null);
    }

    private HttpResponse<String> call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void stopNow(String id) throws IOException {
        Files.writeString(state.resolve("containers").resolve(id).resolve("bundle/rootfs/stop-now"), "");
    }

    private Path exitFile(String id) {
        return state.resolve("containers").resolve(id).resolve("exit").resolve(id);
    }

    private JsonObject runcState(String id) throws Exception {
        Process p = new ProcessBuilder(HostTools.RUNC.toString(), "--root", state.resolve("runc").toString(), "state", id)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 ? new JsonObject(out) : null;
    }
}
