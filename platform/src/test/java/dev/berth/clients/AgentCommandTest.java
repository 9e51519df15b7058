package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.HostTools;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth agent} as its own process, from YAML with a {@code BERTH_AGENT_*} override. */
class AgentCommandTest {

    @TempDir
    Path work;
    Process process;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void servesTheAgentApiFromYamlAndEnv() throws Exception {
        Path runc = HostTools.require("runc");
        Path conmon = HostTools.require("conmon");
        int port = freePort();
        Path yaml = Files.writeString(work.resolve("agent.yml"), """
                agent:
                  port: %d
                  state-dir: %s
                  runc: %s
                  conmon: %s
                  node-name: from-yaml
                  labels: [zone=a]
                """.formatted(port, work.resolve("state"), runc, conmon));
        Path log = work.resolve("agent.log");
        process = start(List.of("agent", "--config", yaml.toString()),
                Map.of("BERTH_AGENT_TOKEN", "s3cret", "BERTH_AGENT_NODE_NAME", "from-env"), log);
        waitForLine(log, "listening on");

        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> node = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/node"))
                .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(node.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(node.body()).getString("name")).isEqualTo("from-env");
        assertThat(new JsonObject(node.body()).getJsonObject("labels").getString("zone")).isEqualTo("a");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/node")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        // the image side is wired: /v1/images behind the token; a reference without a registry is refused
        HttpResponse<String> images = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/images"))
                .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(images.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(images.body()).getJsonArray("images")).isEmpty();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/images")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpResponse<String> create = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/containers"))
                .header("Authorization", "Bearer s3cret")
                .POST(HttpRequest.BodyPublishers.ofString("{\"image\":\"busybox\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(create.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(create.body()).getJsonObject("error").getString("code")).isEqualTo("INVALID_REFERENCE");
        HttpResponse<String> containers = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/containers"))
                .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(new JsonObject(containers.body()).getJsonArray("containers")).isEmpty();

        process.destroy(); // SIGTERM: the shutdown hook stops the agent, the JVM ends with 128 + 15
        assertThat(process.waitFor(50, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(Files.readString(log)).contains("berth: shutting down").doesNotContain("berth: shutdown:");
    }

    @Test
    void refusesToStartWithoutAToken() throws Exception {
        Path log = work.resolve("agent.log");
        process = start(List.of("agent"), Map.of("BERTH_AGENT_STATE_DIR", work.resolve("state").toString(),
                "BERTH_AGENT_PORT", Integer.toString(freePort())), log);

        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(Files.readString(log)).contains("agent.token is not set");
    }

    private static Process start(List<String> args, Map<String, String> env, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.berth.Main"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("BERTH_AGENT_TOKEN");
        builder.environment().putAll(env);
        return builder.start();
    }

    private void waitForLine(Path log, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
            assertThat(process.isAlive()).as("agent exited:\n%s", Files.readString(log)).isTrue();
            assertThat(System.currentTimeMillis()).as("agent did not start:\n%s", Files.readString(log))
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
