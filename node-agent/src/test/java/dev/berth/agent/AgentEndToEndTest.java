package dev.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.agent.testing.HandMadeLayout;
import dev.berth.agent.testing.Tars;
import dev.berth.infra.DistributionServer;
import dev.berth.infra.TestImages;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as {@code berth agent} runs it (real image store, {@code ImageBundleFactory}, conmon, runc) driven
 * only through its REST API, running busybox images built by umoci, pushed by skopeo to CNCF distribution and
 * pulled through {@code POST /v1/images/pull}.
 */
class AgentEndToEndTest {

    static final FileTime CANARY_MTIME = FileTime.fromMillis(1_000_000_000_000L);
    static final List<String> MORE_APPLETS = List.of("sleep", "dd", "sed", "pwd", "kill", "head");

    @TempDir
    static Path shared;
    static DistributionServer registry;
    static String app;
    static String named;
    static String usr1;

    @TempDir
    Path work;
    Path canary;
    AgentHarness agent;

    @BeforeAll
    static void pushImages() throws Exception {
        HostTools.requireRuntime();
        registry = DistributionServer.start(Files.createDirectories(shared.resolve("registry")));
        Path rootfs = TestImages.busyboxRootfs(shared.resolve("rootfs"), Map.of(
                "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nalice:x:1234:2345:Alice:/home/alice:/bin/sh\n",
                "etc/group", "root:x:0:\nstaff:x:2345:\nextra:x:3456:alice\n",
                "srv/motd", "from the image\n"));
        for (String applet : MORE_APPLETS) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Path layout = shared.resolve("layout");
        TestImages.umociImage(layout, "app", rootfs,
                "--config.entrypoint", "/bin/sh", "--config.entrypoint", "-c",
                "--config.cmd", "echo \"$GREETING from $(pwd) as $(id -u)\"; cat motd",
                "--config.env", "GREETING=hello", "--config.env", "PATH=/bin",
                "--config.workingdir", "/srv");
        TestImages.configure(layout, "app", "--tag", "named", "--config.user", "alice");
        TestImages.configure(layout, "app", "--tag", "usr1", "--config.stopsignal", "SIGUSR1");
        app = registry.address() + "/e2e/app:1";
        named = registry.address() + "/e2e/named:1";
        usr1 = registry.address() + "/e2e/usr1:1";
        TestImages.push(layout, "app", app);
        TestImages.push(layout, "named", named);
        TestImages.push(layout, "usr1", usr1);

        HandMadeLayout bad = new HandMadeLayout(shared.resolve("bad"));
        bad.image("dotdot", List.of(new Tars().file("../../../../../../../canary/canary.txt", "pwned").build()), null);
        bad.image("planted-link", List.of(
                new Tars().symlink("planted", "../../../../../../../../canary").build(),
                new Tars().file("planted/canary.txt", "pwned").build()), null);
        TestImages.push(bad.dir(), "dotdot", registry.address() + "/hostile/dotdot:1");
        TestImages.push(bad.dir(), "planted-link", registry.address() + "/hostile/planted-link:1");
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void startAgent() throws Exception {
        canary = Files.writeString(Files.createDirectories(work.resolve("canary")).resolve("canary.txt"), "untouched");
        Files.setLastModifiedTime(canary, CANARY_MTIME);
        agent = AgentHarness.withImages(work.resolve("state"), Map.of());
    }

    @AfterEach
    void stopAgent() throws Exception {
        if (agent != null) {
            agent.close();
        }
        assertThat(canary).hasContent("untouched");
        assertThat(Files.getLastModifiedTime(canary)).isEqualTo(CANARY_MTIME);
        try (Stream<Path> inCanary = Files.list(canary.getParent())) {
            assertThat(inCanary.map(p -> p.getFileName().toString())).containsExactly("canary.txt");
        }
    }

    @Test
    void imageDefaultsAndCreateBodyOverridesAreWhatTheProcessSees() throws Exception {
        pull(app);

        String plain = run(new JsonObject().put("image", app));
        String overridden = run(new JsonObject().put("image", app).put("workingDir", "/tmp")
                .put("env", new JsonObject().put("GREETING", "hi").put("EXTRA", "more"))
                .put("args", new JsonArray().add("echo \"$GREETING $EXTRA in $(pwd)\"")));
        String entrypoint = run(new JsonObject().put("image", app)
                .put("entrypoint", new JsonArray().add("/bin/echo")).put("args", new JsonArray().add("x").add("y")));

        assertThat(exited(plain).getInteger("exitCode")).isZero();
        assertThat(logs(plain, "")).isEqualTo("hello from /srv as 0\nfrom the image\n");
        assertThat(exited(overridden).getInteger("exitCode")).isZero();
        assertThat(logs(overridden, "")).isEqualTo("hi more in /tmp\n");
        assertThat(exited(entrypoint).getInteger("exitCode")).isZero();
        assertThat(logs(entrypoint, "")).isEqualTo("x y\n");
    }

    @Test
    void outputIsCapturedPerStreamAndTheExitCodeReported() throws Exception {
        pull(app);

        String id = run(new JsonObject().put("image", app)
                .put("args", new JsonArray().add("echo out1; echo err1 >&2; echo out2; exit 7")));

        JsonObject status = exited(id);
        assertThat(status.getInteger("exitCode")).isEqualTo(7);
        assertThat(status.getBoolean("oomKilled")).isFalse();
        assertThat(status.getString("imageDigest")).isEqualTo(manifestDigest());
        assertThat(logs(id, "?stream=stdout")).isEqualTo("out1\nout2\n");
        assertThat(logs(id, "?stream=stderr")).isEqualTo("err1\n");
    }

    @Test
    void theDefaultSeccompFilterDeniesANewUserNamespaceAndUnconfinedAllowsIt() throws Exception {
        pull(app);
        String script = "grep '^Seccomp:' /proc/self/status; unshare -U true && echo unshare-ok || echo unshare-denied";

        String confined = run(new JsonObject().put("image", app).put("args", new JsonArray().add(script)));
        String unconfined = run(new JsonObject().put("image", app).put("seccomp", "unconfined")
                .put("args", new JsonArray().add(script)));

        assertThat(exited(confined).getInteger("exitCode")).isZero();
        assertThat(exited(unconfined).getInteger("exitCode")).isZero();
        assertThat(logs(confined, "?stream=stdout")).isEqualTo("Seccomp:\t2\nunshare-denied\n");
        assertThat(logs(confined, "?stream=stderr")).contains("Operation not permitted");
        assertThat(logs(unconfined, "?stream=stdout")).isEqualTo("Seccomp:\t0\nunshare-ok\n");
    }

    @Test
    void aUserNameInTheImageConfigRunsAsThatUsersUid() throws Exception {
        pull(named);

        String id = run(new JsonObject().put("image", named)
                .put("args", new JsonArray().add("id -u; id -g; id -G")));

        assertThat(exited(id).getInteger("exitCode")).isZero();
        assertThat(logs(id, "")).isEqualTo("1234\n2345\n2345 3456\n");
    }

    @Test
    void killDeliversSigterm() throws Exception {
        pull(app);
        String id = run(new JsonObject().put("image", app).put("args", new JsonArray()
                .add("trap 'echo got-term; exit 3' TERM; echo ready; while true; do sleep 0.1; done")));
        AgentHarness.waitFor(() -> logsQuietly(id).contains("ready"), "the trap to be installed");

        assertThat(agent.call("POST", "/v1/containers/" + id + "/kill?signal=SIGTERM", null).status()).isEqualTo(200);

        assertThat(exited(id).getInteger("exitCode")).isEqualTo(3);
        assertThat(logs(id, "")).isEqualTo("ready\ngot-term\n");
    }

    @Test
    void stopSendsTheImagesStopSignalFirstThenSigkillAfterTheTimeout() throws Exception {
        pull(usr1);
        pull(app);
        String polite = run(new JsonObject().put("image", usr1).put("args", new JsonArray()
                .add("trap 'echo got-usr1; exit 4' USR1; trap 'echo got-term; exit 5' TERM; echo ready; "
                        + "while true; do sleep 0.1; done")));
        String stubborn = run(new JsonObject().put("image", app).put("args", new JsonArray()
                .add("trap '' TERM; echo ready; while true; do sleep 0.1; done")));
        AgentHarness.waitFor(() -> logsQuietly(polite).contains("ready") && logsQuietly(stubborn).contains("ready"),
                "the traps to be installed");

        assertThat(agent.status(polite).getString("stopSignal")).isEqualTo("SIGUSR1");
        AgentHarness.Reply stopped = agent.call("POST", "/v1/containers/" + polite + "/stop?timeout=30", null);
        AgentHarness.Reply killed = agent.call("POST", "/v1/containers/" + stubborn + "/stop?timeout=1", null);

        assertThat(stopped.status()).isEqualTo(200);
        assertThat(stopped.json().getString("state")).isEqualTo("stopped");
        assertThat(stopped.json().getInteger("exitCode")).isEqualTo(4);
        assertThat(logs(polite, "")).isEqualTo("ready\ngot-usr1\n");
        assertThat(killed.status()).isEqualTo(200);
        assertThat(killed.json().getInteger("exitCode")).isEqualTo(137);
    }

    @Test
    void aMemoryLimitBreachIsReportedAsOomKilled() throws Exception {
        pull(app);

        String id = run(new JsonObject().put("image", app)
                .put("args", new JsonArray().add("exec dd if=/dev/zero of=/dev/null bs=64M count=1"))
                .put("resources", new JsonObject().put("memoryBytes", 16 * 1024 * 1024)));

        JsonObject status = exited(id);
        assertThat(status.getBoolean("oomKilled")).isTrue();
        assertThat(status.getInteger("exitCode")).isEqualTo(137);
    }

    @Test
    void everyHookFiresInOrder() throws Exception {
        pull(app);
        Path logDir = Files.createDirectories(work.resolve("hooklog"));
        String hostLog = logDir.resolve("hooks.log").toString();
        JsonObject hooks = new JsonObject()
                .put("createRuntime", hook("createRuntime", hostLog))
                .put("createContainer", hook("createContainer", hostLog))
                // runs inside the container: the image's busybox sh, the log through the bind mount
                .put("startContainer", hook("startContainer", "/hooklog/hooks.log"))
                .put("poststart", hook("poststart", hostLog))
                .put("poststop", hook("poststop", hostLog));
        String id = run(new JsonObject().put("image", app).put("hooks", hooks)
                .put("args", new JsonArray().add("while [ ! -f /hooklog/done ]; do sleep 0.05; done"))
                .put("volumes", new JsonArray().add(new JsonObject().put("source", logDir.toString())
                        .put("target", "/hooklog"))));

        AgentHarness.waitFor(() -> lines(Path.of(hostLog)).size() == 4, "the first four hooks");
        Files.writeString(logDir.resolve("done"), "");
        exited(id);
        assertThat(agent.call("DELETE", "/v1/containers/" + id, null).status()).isEqualTo(204);

        assertThat(lines(Path.of(hostLog))).containsExactly("createRuntime", "createContainer", "startContainer",
                "poststart", "poststop");
    }

    @Test
    void onFailureRestartsWithBackoffUpToTheMaximum() throws Exception {
        pull(app);
        List<JsonObject> events = agent.recordEvents();

        String id = run(new JsonObject().put("image", app).put("restartPolicy", "on-failure:2")
                .put("args", new JsonArray().add("echo run; exit 1")));

        JsonObject status = agent.await(id, s -> s.getString("state").equals("stopped")
                && s.getInteger("restartCount") == 2);
        assertThat(status.getInteger("exitCode")).isEqualTo(1);
        AgentHarness.waitFor(() -> events.stream().filter(e -> e.getString("type").equals("exited")).count() == 3,
                "three exits");
        assertThat(events.stream().filter(e -> e.getString("type").equals("restarted")).count()).isEqualTo(2);
        assertThat(logs(id, "")).isEqualTo("run\nrun\nrun\n");
        assertThat(agent.status(id).getInteger("restartCount")).isEqualTo(2);
    }

    @Test
    void anImageInUseCannotBeDeletedUntilItsContainerIsGone() throws Exception {
        pull(app);
        String id = run(new JsonObject().put("image", app).put("args", new JsonArray().add("true")));
        exited(id);

        AgentHarness.Reply refused = agent.call("DELETE", "/v1/images/" + app, null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().getJsonObject("error").getString("code")).isEqualTo("IMAGE_IN_USE");
        assertThat(agent.call("GET", "/v1/images", null).json().getJsonArray("images")).hasSize(1);
        // the container still starts again from its image
        assertThat(agent.call("POST", "/v1/containers/" + id + "/start", null).status()).isEqualTo(200);
        exited(id);

        assertThat(agent.call("DELETE", "/v1/containers/" + id, null).status()).isEqualTo(204);
        assertThat(agent.call("DELETE", "/v1/images/" + app, null).status()).isEqualTo(200);
        assertThat(agent.call("GET", "/v1/images", null).json().getJsonArray("images")).isEmpty();
        // a create pulls what is missing: the image comes back; one the registry lacks is a 404
        String again = run(new JsonObject().put("image", app).put("args", new JsonArray().add("echo back")));
        assertThat(logs(exited(again).getString("id"), "")).isEqualTo("back\n");
        assertThat(agent.call("GET", "/v1/images", null).json().getJsonArray("images")).hasSize(1);
        AgentHarness.Reply missing = agent.call("POST", "/v1/containers",
                new JsonObject().put("image", registry.address() + "/e2e/missing:1").encode());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().getJsonObject("error").getString("code")).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(agent.call("GET", "/v1/containers", null).json().getJsonArray("containers")).hasSize(1);
    }

    @Test
    void hostileLayersFailThePullAndWriteNothingOutsideTheStore() throws Exception {
        for (String tag : List.of("dotdot", "planted-link")) {
            AgentHarness.Reply pull = agent.call("POST", "/v1/images/pull",
                    new JsonObject().put("reference", registry.address() + "/hostile/" + tag + ":1").encode());

            assertThat(pull.status()).isEqualTo(200);
            List<String> lines = pull.body().lines().toList();
            JsonObject last = new JsonObject(lines.get(lines.size() - 1));
            assertThat(last.getString("status")).as(tag).isEqualTo("error");
            assertThat(last.getJsonObject("error").getString("code")).as(tag).isEqualTo("INVALID_LAYER");
        }
        assertThat(agent.call("GET", "/v1/images", null).json().getJsonArray("images")).isEmpty();
        // the canary is checked after each test
    }

    @Test
    void aStoppedContainerStartsAgainAfterItsRootfsMountIsGoneAsAfterAHostReboot() throws Exception {
        pull(app);
        String id = run(new JsonObject().put("image", app)
                .put("args", new JsonArray().add("cat /kept 2>/dev/null || echo first > /kept; echo ran")));
        JsonObject first = exited(id);
        assertThat(first.getInteger("exitCode")).isZero();
        Path rootfs = work.resolve("state/containers").resolve(id).resolve("bundle/rootfs");
        // A reboot leaves the bundle and the container's writes on disk, and nothing mounted.
        assertThat(new ProcessBuilder("umount", rootfs.toString()).inheritIO().start().waitFor()).isZero();
        assertThat(rootfs.resolve("bin")).doesNotExist();

        assertThat(agent.call("POST", "/v1/containers/" + id + "/start", null).status()).isEqualTo(200);
        JsonObject again = agent.await(id, s -> s.getString("state").equals("stopped")
                && !first.getString("startedAt").equals(s.getString("startedAt")));
        assertThat(again.getInteger("exitCode")).isZero();
        assertThat(logs(id, "")).isEqualTo("ran\nfirst\nran\n");
    }

    @Test
    void aRestartedAgentProcessAdoptsARunningContainerAndRecordsItsLaterExit() throws Exception {
        Path state = work.resolve("process-state");
        Process first = startAgentProcess(state, "first");
        try (AgentClient client = new AgentClient(readPort(state, "first"))) {
            client.pull(app);
            String id = client.run(new JsonObject().put("image", app)
                    .put("args", new JsonArray().add("while [ ! -f /stop-now ]; do sleep 0.1; done; echo bye; exit 9")),
                    true);
            int pid = client.status(id).getInteger("pid");

            first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook
            Process second = startAgentProcess(state, "second");
            try (AgentClient next = new AgentClient(readPort(state, "second"))) {
                JsonObject adopted = next.status(id);
                assertThat(adopted.getString("state")).isEqualTo("running");
                assertThat(adopted.getInteger("pid")).isEqualTo(pid);

                Files.writeString(state.resolve("containers").resolve(id).resolve("bundle/rootfs/stop-now"), "");
                JsonObject later = next.await(id, s -> s.getString("state").equals("stopped"));
                assertThat(later.getInteger("exitCode")).isEqualTo(9);
                assertThat(next.call("GET", "/v1/containers/" + id + "/logs", null).body()).isEqualTo("bye\n");
                assertThat(next.call("DELETE", "/v1/containers/" + id, null).status()).isEqualTo(204);
            } finally {
                second.destroyForcibly().waitFor();
            }
        } finally {
            first.destroyForcibly().waitFor();
            AgentHarness.removeRuncContainers(state.resolve("runc"));
        }
    }

    private Process startAgentProcess(Path state, String name) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path portFile = work.resolve(name + ".port");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, AgentProcessMain.class.getName(), state.toString(), portFile.toString(),
                AgentHarness.TOKEN, "images")
                .redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
        AgentHarness.waitFor(() -> Files.exists(portFile) || !process.isAlive(), "the agent to listen");
        assertThat(process.isAlive()).as("agent process (see %s)", work.resolve(name + ".log")).isTrue();
        return process;
    }

    private int readPort(Path state, String name) throws Exception {
        return Integer.parseInt(Files.readString(work.resolve(name + ".port")).strip());
    }

    private void pull(String reference) throws Exception {
        agent.pull(reference);
    }

    private String manifestDigest() throws Exception {
        return agent.call("GET", "/v1/images", null).json().getJsonArray("images").getJsonObject(0)
                .getString("manifestDigest");
    }

    private String run(JsonObject spec) throws Exception {
        return agent.run(spec, true);
    }

    private JsonObject exited(String id) throws Exception {
        return agent.await(id, s -> s.getString("state").equals("stopped"));
    }

    private String logs(String id, String query) throws Exception {
        AgentHarness.Reply reply = agent.call("GET", "/v1/containers/" + id + "/logs" + query, null);
        assertThat(reply.status()).isEqualTo(200);
        return reply.body();
    }

    private String logsQuietly(String id) {
        try {
            return logs(id, "");
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonArray hook(String name, String log) {
        return new JsonArray().add(new JsonObject()
                .put("path", "/bin/sh")
                .put("args", new JsonArray(List.of("sh", "-c", "echo \"$0\" >> \"$LOG\"", name)))
                .put("env", new JsonArray(List.of("PATH=/usr/bin:/bin", "LOG=" + log)))
                .put("timeout", 10));
    }
}
