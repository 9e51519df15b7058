package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.EmbeddedPostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production shape: {@code berth registry} and {@code berth gateway} as separate processes,
 * each from its own YAML file, with a {@code BERTH_*} variable overriding the file.
 */
class StandaloneServicesTest {

    private final List<Process> processes = new ArrayList<>();

    @Test
    void registryAndGatewayRunAloneFromYamlWithEnvOverrides(@TempDir Path work) throws Exception {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(work.resolve("pg"), 0)) {
            postgres.createDatabase("registry");
            int registryPort = freePort();
            int gatewayPort = freePort();
            Path registryYaml = Files.writeString(work.resolve("registry.yml"), """
                    registry:
                      port: 1   # overridden by BERTH_REGISTRY_PORT below
                      storage:
                        root-dir: %s
                      database:
                        port: %d
                        name: registry
                    """.formatted(work.resolve("blobs"), postgres.port()));
            Path gatewayYaml = Files.writeString(work.resolve("gateway.yml"), """
                    gateway:
                      port: %d
                      auth:
                        enabled: false   # the production shape with auth is in AuthEndToEndTest
                      upstreams:
                        - http://127.0.0.1:%d
                    """.formatted(gatewayPort, registryPort));
            try {
                start(List.of("registry", "--config", registryYaml.toString()),
                        Map.of("BERTH_REGISTRY_PORT", Integer.toString(registryPort)), "registry listening on");
                start(List.of("gateway", "--config", gatewayYaml.toString()), Map.of(), "gateway listening on");

                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + gatewayPort;
                byte[] blob = "standalone".getBytes(StandardCharsets.UTF_8);
                String digest = "sha256:" + java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(blob));
                HttpResponse<String> push = http.send(HttpRequest.newBuilder(
                                URI.create(base + "/v2/solo/app/blobs/uploads/?digest=" + digest))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(push.statusCode()).as(push.body()).isEqualTo(201);

                HttpResponse<byte[]> pull = http.send(HttpRequest.newBuilder(
                        URI.create(base + "/v2/solo/app/blobs/" + digest)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(pull.statusCode()).isEqualTo(200);
                assertThat(pull.body()).isEqualTo(blob);

                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + registryPort + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.body()).contains("postgresql").contains("storage");
                assertThat(Files.list(work.resolve("blobs/blobs/sha256"))).isNotEmpty();
            } finally {
                for (Process p : processes) {
                    p.destroy();
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
        }
    }

    private void start(List<String> args, Map<String, String> env, String readyText) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.berth.Main"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.contains(readyText)) {
                        ready.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the process is gone; the wait below reports it
            }
            ready.completeExceptionally(new AssertionError("exited before '" + readyText + "'"));
        });
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            synchronized (output) {
                throw new AssertionError("berth " + args.get(0) + " did not start:\n" + output, e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
