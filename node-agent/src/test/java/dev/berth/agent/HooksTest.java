package dev.berth.agent;

import static dev.berth.agent.AgentHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every OCI hook point fires, in the runtime spec's order, with the container state on stdin. runc runs the
 * first four from config.json; poststop runs when the agent deletes the container.
 */
class HooksTest {

    // Appends "<hook name> <status> <id>" taken from the state JSON on stdin.
    private static final String RECORD = "s=$(cat); "
            + "st=$(echo \"$s\" | sed -n 's/.*\"status\":\"\\([a-z]*\\)\".*/\\1/p'); "
            + "id=$(echo \"$s\" | sed -n 's/.*\"id\":\"\\([^\"]*\\)\".*/\\1/p'); "
            + "echo \"$0 $st $id\" >> \"$LOG\"";

    @TempDir
    Path temp;
    AgentHarness agent;

    @BeforeEach
    void start() throws Exception {
        HostTools.requireRuntime();
        agent = new AgentHarness(temp.resolve("state"));
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void everyHookFiresInOrderWithTheStateOnStdin() throws Exception {
        Path logDir = Files.createDirectories(temp.resolve("hooklog"));
        String hostLog = logDir.resolve("hooks.log").toString();
        JsonObject hooks = new JsonObject()
                .put("createRuntime", hook("createRuntime", hostLog))
                .put("createContainer", hook("createContainer", hostLog))
                // startContainer runs inside the container: its /bin/sh is busybox, its log the bind mount. It is
                // slow on purpose: poststart must still wait for it (and the exec that follows it).
                .put("startContainer", hook("startContainer", "/hooklog/hooks.log", "sleep 0.3; "))
                .put("poststart", hook("poststart", hostLog))
                .put("poststop", hook("poststop", hostLog));
        // the process runs until the test lets it go, so the poststart hook sees it running
        JsonObject spec = spec("sh", "-c", "while [ ! -f /hooklog/done ]; do sleep 0.05; done").put("hooks", hooks)
                .put("volumes", new JsonArray().add(new JsonObject().put("source", logDir.toString()).put("target", "/hooklog")));

        String id = agent.run(spec, true);
        AgentHarness.waitFor(() -> lineCount(Path.of(hostLog)) == 4, "the first four hooks");
        Files.writeString(logDir.resolve("done"), "");
        agent.await(id, s -> s.getString("state").equals("stopped"));
        assertThat(agent.call("DELETE", "/v1/containers/" + id, null).status()).isEqualTo(204);

        assertThat(Files.readAllLines(Path.of(hostLog))).containsExactly(
                "createRuntime creating " + id,
                "createContainer creating " + id,
                "startContainer created " + id,
                "poststart running " + id,
                "poststop stopped " + id);
    }

    private static long lineCount(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonArray hook(String name, String log) {
        return hook(name, log, "");
    }

    private static JsonArray hook(String name, String log, String before) {
        return new JsonArray().add(new JsonObject()
                .put("path", "/bin/sh")
                .put("args", new JsonArray(List.of("sh", "-c", before + RECORD, name)))
                .put("env", new JsonArray(List.of("PATH=/usr/bin:/bin", "LOG=" + log)))
                .put("timeout", 10));
    }
}
