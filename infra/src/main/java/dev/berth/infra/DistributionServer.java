package dev.berth.infra;

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
 * CNCF distribution (Debian {@code docker-registry}) as a child process on a free loopback port, storage
 * and log under a directory: a real registry for tests to push to with skopeo and pull from. Its access
 * log tells how often a blob was really fetched.
 */
public final class DistributionServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private DistributionServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts it in {@code dir} (storage, config, log); skips the test (fails on CI) without the package. */
    public static DistributionServer start(Path dir) throws Exception {
        Path binary = HostTools.require("docker-registry");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path storage = Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                  secret: berth-test-secret
                """.formatted(storage, port));
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        DistributionServer server = new DistributionServer(process, port, log);
        try {
            server.awaitListening();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** {@code 127.0.0.1:PORT}, the registry part of image references. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** How many {@code GET} requests for that blob the access log shows so far. */
    public long blobGets(String repository, String digest) throws IOException {
        String needle = "\"GET /v2/" + repository + "/blobs/" + digest + " ";
        try (var lines = Files.lines(log)) {
            return lines.filter(line -> line.contains(needle)).count();
        }
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

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
