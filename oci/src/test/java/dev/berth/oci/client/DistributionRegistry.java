package dev.berth.oci.client;

import dev.berth.oci.HostTools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * CNCF distribution ({@code docker-registry serve}) as a child process on a free loopback port, its
 * storage in a temp dir: the real registry the client is tested against.
 */
final class DistributionRegistry implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path storage;
    private final Path log;

    private DistributionRegistry(Process process, int port, Path storage, Path log) {
        this.process = process;
        this.port = port;
        this.storage = storage;
        this.log = log;
    }

    /** @param authYaml the config's {@code auth:} section (indented by two spaces), or "" for none */
    static DistributionRegistry start(Path dir, String authYaml) throws Exception {
        Path binary = HostTools.executable("docker-registry");
        int port = freePort();
        Path storage = Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                  secret: berth-test-secret
                %s
                """.formatted(storage, port, authYaml.isEmpty() ? "" : "auth:\n" + authYaml));
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        DistributionRegistry registry = new DistributionRegistry(process, port, storage, log);
        try {
            registry.awaitListening();
        } catch (Exception e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** Where the filesystem driver keeps a blob's bytes. */
    Path blobData(String hex) {
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
                .resolve("data");
    }

    private void awaitListening() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create("http://" + address() + "/v2/"))
                .timeout(Duration.ofSeconds(2)).build();
        for (int attempt = 0; attempt < 150; attempt++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(log));
            }
            try {
                http.send(ping, HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("docker-registry did not listen on " + address() + ": " + Files.readString(log));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
