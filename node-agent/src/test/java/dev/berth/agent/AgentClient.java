package dev.berth.agent;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** An HTTP client for an agent's API on 127.0.0.1, authenticated with {@link AgentHarness#TOKEN}. */
public class AgentClient implements AutoCloseable {

    public record Reply(int status, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    public AgentClient(int port) {
        connect(port);
    }

    protected AgentClient() {
    }

    protected final void connect(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public Reply call(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, AgentHarness.TOKEN);
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
                .header("Authorization", "Bearer " + AgentHarness.TOKEN).build();
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

    /** Pulls an image through {@code POST /v1/images/pull}; fails unless the stream ends with "done". */
    public void pull(String reference) throws Exception {
        Reply pull = call("POST", "/v1/images/pull", new JsonObject().put("reference", reference).encode());
        List<String> lines = pull.body().lines().toList();
        if (pull.status() != 200 || !new JsonObject(lines.get(lines.size() - 1)).getString("status").equals("done")) {
            throw new AssertionError("pull of " + reference + " failed: " + pull);
        }
    }

    @Override
    public void close() throws Exception {
    }
}
