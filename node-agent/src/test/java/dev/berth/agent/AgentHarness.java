package dev.berth.agent;

import dev.berth.agent.api.AgentConfig;
import dev.berth.agent.api.AgentVerticle;
import dev.berth.kit.Config;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * An agent in this JVM on a fresh state dir and runc root, plus an HTTP client for its API. {@link #close()}
 * removes every runc container of the root, so no test leaves a container behind.
 */
public final class AgentHarness implements AutoCloseable {

    public static final String TOKEN = "test-token-" + Long.toHexString(System.nanoTime());

    public final Path stateDir;
    public final Vertx vertx;
    public final AgentVerticle agent;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    public record Reply(int status, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    public AgentHarness(Path stateDir, Map<String, Object> extra) throws Exception {
        this(stateDir, extra, List.of());
    }

    public AgentHarness(Path stateDir, Map<String, Object> extra, List<Consumer<Router>> extraRoutes) throws Exception {
        this(stateDir, extra, extraRoutes, new VertxOptions());
    }

    public AgentHarness(Path stateDir, Map<String, Object> extra, List<Consumer<Router>> extraRoutes,
                        VertxOptions options) throws Exception {
        this.stateDir = stateDir;
        this.vertx = Vertx.vertx(options);
        Map<String, Object> tree = new HashMap<>();
        tree.put("agent.state-dir", stateDir.toString());
        tree.put("agent.port", 0);
        tree.put("agent.token", TOKEN);
        tree.put("agent.restart.initial-backoff-ms", 50);
        tree.put("agent.restart.max-backoff-ms", 400);
        tree.put("agent.supervise-interval-ms", 50);
        tree.putAll(extra);
        AgentConfig config = AgentConfig.from(Config.of(tree, Map.of()));
        this.agent = new AgentVerticle(config, new BusyboxBundleFactory(), extraRoutes);
        vertx.deployVerticle(agent).await();
        this.base = "http://127.0.0.1:" + agent.actualPort();
    }

    public AgentHarness(Path stateDir) throws Exception {
        this(stateDir, Map.of());
    }

    public Reply call(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, TOKEN);
    }

    public Reply call(String method, String path, String body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    /** Streams a response line by line (logs?follow, events). */
    public java.util.stream.Stream<String> lines(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN).build();
        return http.send(request, HttpResponse.BodyHandlers.ofLines()).body();
    }

    /** Subscribes to {@code /v1/events}; the returned list fills as events arrive, until the agent closes. */
    public List<JsonObject> recordEvents() throws InterruptedException {
        List<JsonObject> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
        Thread reader = new Thread(() -> {
            // the agent sends the response head once it is subscribed to the events
            try (java.util.stream.Stream<String> lines = lines("/v1/events")) {
                subscribed.countDown();
                lines.forEach(line -> events.add(new JsonObject(line)));
            } catch (Exception e) {
                // the agent closes the stream when the test ends
            }
        }, "events-reader");
        reader.setDaemon(true);
        reader.start();
        if (!subscribed.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("no answer from /v1/events");
        }
        return events;
    }

    /** Creates (and by default starts) a container; returns its id. */
    public String run(JsonObject spec, boolean start) throws Exception {
        Reply created = call("POST", "/v1/containers", spec.encode());
        if (created.status() != 201) {
            throw new AssertionError("create failed: " + created);
        }
        String id = created.json().getString("id");
        if (start) {
            Reply started = call("POST", "/v1/containers/" + id + "/start", null);
            if (started.status() != 200) {
                throw new AssertionError("start failed: " + started);
            }
        }
        return id;
    }

    public JsonObject status(String id) throws Exception {
        return call("GET", "/v1/containers/" + id, null).json();
    }

    /** Polls the container until {@code condition} holds on its status (or fails after 60 s). */
    public JsonObject await(String id, java.util.function.Predicate<JsonObject> condition) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        JsonObject status = status(id);
        while (!condition.test(status)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met; last status " + status.encodePrettily());
            }
            Thread.sleep(50);
            status = status(id);
        }
        return status;
    }

    public static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    public static JsonObject spec(String... argv) {
        return new JsonObject().put("image", "busybox").put("args", new io.vertx.core.json.JsonArray(List.of(argv)));
    }

    public Path runcRoot() {
        return stateDir.resolve("runc");
    }

    /** Undeploys the agent (containers keep running) without cleaning up. */
    public void stopAgent() {
        vertx.close().await();
    }

    @Override
    public void close() throws Exception {
        try {
            vertx.close().await();
        } finally {
            removeRuncContainers(runcRoot());
        }
    }

    /** Force-deletes every container in a runc root. */
    public static void removeRuncContainers(Path root) throws IOException, InterruptedException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (var dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                new ProcessBuilder(HostTools.RUNC.toString(), "--root", root.toString(), "delete", "--force",
                        dir.getFileName().toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            }
        }
    }
}
