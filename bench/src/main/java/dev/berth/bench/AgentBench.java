package dev.berth.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Container start latency, the node agent vs plain runc vs docker, on one image. Iterations are interleaved, in
 * an order rotated every iteration (agent, runc, docker; runc, docker, agent; ...), so noise on the shared
 * machine, and what one runtime leaves running after it answered, lands on all three alike. All times are
 * {@link System#nanoTime()} in this JVM around the agent's HTTP exchanges (HTTP/1.1 on one kept-alive socket,
 * {@link BlockingHttp}) or one child process.
 *
 * <pre>AgentBench key=value...
 *   agent=http://127.0.0.1:PORT token=T image=REF      the agent (image already pulled)
 *   runc=/usr/sbin/runc runc-root=DIR sleep-bundle=DIR echo-bundle=DIR
 *   docker=/path/to/docker docker-host=unix:///... docker-image=NAME   (optional)
 *   iterations=30 warm-up=300 gap-ms=0</pre>
 *
 * Two measures per runtime: {@code start_ms} (a {@code sleep} container from nothing to running: the agent's
 * create + start answering 200, {@code runc run -d}, {@code docker run -d}) and {@code run_ms} (an {@code echo
 * hi} container from nothing to exited and removed, its output checked: the agent's create, start, logs
 * followed to the end and DELETE; {@code runc run}; {@code docker run --rm}). Prints
 * {@code RUNTIME METRIC p50=.. p90=.. runs=..} lines.
 */
public final class AgentBench {

    private final Map<String, String> args;
    private final BlockingHttp http;
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();
    private int sequence;

    private AgentBench(Map<String, String> args) {
        this.args = args;
        this.http = new BlockingHttp(URI.create(args.get("agent")));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            args.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        new AgentBench(args).run(Integer.parseInt(args.getOrDefault("iterations", "30")));
    }

    private void run(int iterations) throws Exception {
        boolean docker = args.containsKey("docker");
        // untimed warm-up: JIT in the agent, page cache for runc, docker's first-run costs. The agent is a long-running
        // daemon, so its steady state is compiled code: after 3 rounds its request path still ran in the interpreter,
        // ≈ 1.5 ms more per request (see bench/README.md)
        int warmUp = Integer.parseInt(args.getOrDefault("warm-up", "300"));
        for (int i = 0; i < warmUp; i++) {
            agentStart();
            agentRun();
            runcStart();
            runcRun();
            if (docker) {
                dockerStart();
                dockerRun();
            }
        }
        samples.clear();
        List<String> runtimes = docker ? List.of("agent", "runc", "docker") : List.of("agent", "runc");
        for (int i = 0; i < iterations; i++) {
            // rotated, so that each runtime follows each other one equally often (what one leaves running in
            // the background after it answered, e.g. dockerd's clean-up, lands on whoever comes next)
            List<String> order = new ArrayList<>(runtimes);
            java.util.Collections.rotate(order, -(i % runtimes.size()));
            for (String runtime : order) {
                record(runtime + " start_ms", quiet().start(runtime));
            }
            for (String runtime : order) {
                record(runtime + " run_ms", quiet().run(runtime));
            }
        }
        for (Map.Entry<String, List<Double>> entry : samples.entrySet()) {
            double[] sorted = entry.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("%s p50=%.1f p90=%.1f runs=%s%n", entry.getKey(), percentile(sorted, 50),
                    percentile(sorted, 90), Arrays.toString(Arrays.stream(sorted).mapToLong(Math::round).toArray()));
        }
    }

    /**
     * Waits {@code gap-ms} (default 0) before a timed run. With a gap (100 is enough), every run starts from an idle
     * machine instead of right after the previous runtime's work: on the shared virtual machine this was measured
     * on, a {@code runc create} right after other container work takes 13-17 ms, and 21-35 ms after 50 ms of
     * idle, whoever runs it. Back to back (0) is what the README's main figures use.
     */
    private AgentBench quiet() throws InterruptedException {
        Thread.sleep(Long.parseLong(args.getOrDefault("gap-ms", "0")));
        return this;
    }

    private double start(String runtime) throws Exception {
        return switch (runtime) {
            case "agent" -> agentStart();
            case "runc" -> runcStart();
            default -> dockerStart();
        };
    }

    private double run(String runtime) throws Exception {
        return switch (runtime) {
            case "agent" -> agentRun();
            case "runc" -> runcRun();
            default -> dockerRun();
        };
    }

    private void record(String key, double millis) {
        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(millis);
    }

    static double percentile(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private double agentStart() throws Exception {
        long t0 = System.nanoTime();
        String id = agentCreateAndStart("[\"sleep\",\"60\"]");
        double elapsed = millisSince(t0);
        agentCall("DELETE", "/v1/containers/" + id + "?force=true", null, 204);
        return elapsed;
    }

    private double agentRun() throws Exception {
        long t0 = System.nanoTime();
        String id = agentCreateAndStart("[\"echo\",\"hi\"]");
        String logs = agentCall("GET", "/v1/containers/" + id + "/logs?follow=true", null, 200);
        agentCall("DELETE", "/v1/containers/" + id, null, 204);
        double elapsed = millisSince(t0);
        expectHi("agent", logs);
        return elapsed;
    }

    private String agentCreateAndStart(String argsJson) throws Exception {
        String body = "{\"image\":\"" + args.get("image") + "\",\"entrypoint\":" + argsJson + "}";
        String created = agentCall("POST", "/v1/containers", body, 201);
        String id = created.replaceAll("(?s).*\"id\"\\s*:\\s*\"([0-9a-f]+)\".*", "$1");
        agentCall("POST", "/v1/containers/" + id + "/start", null, 200);
        return id;
    }

    private String agentCall(String method, String path, String body, int expected) throws Exception {
        BlockingHttp.Response response = http.send(method, path, args.get("token"), body);
        if (response.status() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + response.status() + ": "
                    + response.body());
        }
        return response.body();
    }

    private double runcStart() throws Exception {
        String id = "bench-" + ++sequence;
        String runc = args.get("runc");
        String root = args.get("runc-root");
        long t0 = System.nanoTime();
        // detached: the container inherits runc's stdio, so it must not be a pipe this JVM waits on
        Process process = new ProcessBuilder(runc, "--root", root, "run", "-d", "--bundle", args.get("sleep-bundle"), id)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("runc run -d failed");
        }
        double elapsed = millisSince(t0);
        exec(runc, "--root", root, "delete", "-f", id);
        return elapsed;
    }

    private double runcRun() throws Exception {
        String id = "bench-" + ++sequence;
        long t0 = System.nanoTime();
        String out = exec(args.get("runc"), "--root", args.get("runc-root"), "run", "--bundle",
                args.get("echo-bundle"), id);
        double elapsed = millisSince(t0);
        expectHi("runc", out);
        return elapsed;
    }

    private double dockerStart() throws Exception {
        long t0 = System.nanoTime();
        String id = exec(args.get("docker"), "-H", args.get("docker-host"), "run", "-d", "--network", "host",
                args.get("docker-image"), "sleep", "60").strip();
        double elapsed = millisSince(t0);
        exec(args.get("docker"), "-H", args.get("docker-host"), "rm", "-f", id);
        return elapsed;
    }

    private double dockerRun() throws Exception {
        long t0 = System.nanoTime();
        String out = exec(args.get("docker"), "-H", args.get("docker-host"), "run", "--rm", "--network", "host",
                args.get("docker-image"), "echo", "hi");
        double elapsed = millisSince(t0);
        expectHi("docker", out);
        return elapsed;
    }

    private static void expectHi(String runtime, String output) {
        if (!output.equals("hi\n")) {
            throw new IllegalStateException(runtime + " printed " + output + " instead of hi");
        }
    }

    /** Runs a command with stdin from /dev/null; its stdout, or an exception with its stderr. */
    private static String exec(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + err);
        }
        return out;
    }

    private static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
