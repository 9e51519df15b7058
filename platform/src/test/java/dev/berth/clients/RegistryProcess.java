package dev.berth.clients;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.berth.testing.HostTools;

/**
 * A registry running as a child process on a fixed data dir and port, so a test can stop it,
 * kill it and start it again. By default it is {@code berth up} from the test JVM's classpath;
 * {@code -Dberth.test.durability.server=distribution} runs CNCF distribution instead, which checks
 * the durability tests themselves against a registry known to survive restarts.
 */
final class RegistryProcess implements AutoCloseable {

    static final String SERVER_PROPERTY = "berth.test.durability.server";

    private static final long START_TIMEOUT_SECONDS = 120;
    private static final long STOP_TIMEOUT_SECONDS = 60;

    private final Path dataDir;
    private final Path log;
    private final int port;
    private final List<String> command;
    private final String readyLine;
    // Every process the registry spawned (e.g. embedded PostgreSQL), so none outlives the test.
    private final Set<ProcessHandle> spawned = new LinkedHashSet<>();
    private Process process;

    private RegistryProcess(Path workDir, int port, List<String> command, String readyLine) {
        this.dataDir = workDir.resolve("data");
        this.log = workDir.resolve("registry.log");
        this.port = port;
        this.command = command;
        this.readyLine = readyLine;
    }

    /** Prepares (does not start) a registry with its data and log under {@code workDir}. */
    static RegistryProcess create(Path workDir) {
        return create(workDir, "512m");
    }

    /** The same, with the JVM's heap capped at {@code maxHeap} (e.g. "256m"). */
    static RegistryProcess create(Path workDir, String maxHeap) {
        int port = freePort();
        Path dataDir = workDir.resolve("data");
        if ("distribution".equals(System.getProperty(SERVER_PROPERTY))) {
            Path registry = HostTools.require("docker-registry");
            Path config = writeDistributionConfig(workDir, dataDir, port);
            return new RegistryProcess(workDir, port, List.of(registry.toString(), "serve", config.toString()),
                    "listening on 127.0.0.1:" + port);
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new RegistryProcess(workDir, port, List.of(java.toString(), "-Xmx" + maxHeap,
                "-cp", System.getProperty("java.class.path"),
                "dev.berth.Main", "up", "--data-dir", dataDir.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port)),
                // The CLI's ready line, not a component's log line: the whole platform is up.
                "listening on http://127.0.0.1:" + port);
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** Starts the registry and waits for its "listening on ..." line. */
    void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        appendToLog("=== starting: " + shortened(command) + "\n");
        try {
            Files.createDirectories(dataDir);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            // Restarts and memory bounds are the subject here, not authentication.
            builder.environment().put("BERTH_GATEWAY_AUTH_ENABLED", "false");
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<Void> ready = copyOutputToLog(process);
        try {
            ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            awaitExit(process.toHandle());
            throw new AssertionError("registry exited with " + exitValue() + " before printing '"
                    + readyLine + "'; log " + log + ":\n" + logTail(), e.getCause());
        } catch (TimeoutException e) {
            kill();
            throw new AssertionError("registry did not print '" + readyLine + "' within "
                    + START_TIMEOUT_SECONDS + " s; log " + log + ":\n" + logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        rememberSpawned();
    }

    /** SIGTERM, as an operator or init system stops it; fails if it does not exit. */
    void stop() {
        rememberSpawned();
        process.destroy();
        awaitExit(process.toHandle());
        // The handle's exit and the Process's own reaping are separate: wait for the latter too.
        appendToLog("=== exited with " + exitValue() + " after SIGTERM\n");
    }

    /**
     * SIGKILL for the registry process alone, as the OOM killer or {@code kill -9} does: it gets
     * no chance to flush, close or stop anything, and what it spawned (e.g. an embedded
     * PostgreSQL) is left running, orphaned, for the next start to cope with.
     */
    void kill() {
        rememberSpawned();
        process.destroyForcibly();
        awaitExit(process.toHandle());
        appendToLog("=== killed with SIGKILL\n");
    }

    @Override
    public void close() {
        try {
            if (process != null && process.isAlive()) {
                stop();
            }
        } finally {
            endLeftovers();
        }
    }

    /**
     * Ends what a killed registry left behind. Daemons such as PostgreSQL started through pg_ctl
     * are not descendants, but their command line names this test's unique data dir.
     */
    private void endLeftovers() {
        rememberSpawned();
        ProcessHandle.allProcesses()
                .filter(handle -> handle.info().commandLine().filter(line -> line.contains(dataDir.toString())).isPresent())
                .forEach(spawned::add);
        spawned.stream().filter(ProcessHandle::isAlive).forEach(handle -> {
            appendToLog("=== ending leftover process " + handle.pid() + ": "
                    + handle.info().commandLine().orElse("?") + "\n");
            handle.destroyForcibly();
        });
    }

    String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= 6000 ? text : "..." + text.substring(text.length() - 6000);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    // The test classpath is thousands of characters long and would push the useful log out of a failure message.
    private static String shortened(List<String> command) {
        return String.join(" ", command.stream()
                .map(arg -> arg.length() > 200 ? arg.substring(0, 60) + "...(" + arg.length() + " chars)" : arg)
                .toList());
    }

    private void rememberSpawned() {
        if (process != null) {
            process.descendants().forEach(spawned::add);
        }
    }

    private int exitValue() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitExit(ProcessHandle handle) {
        try {
            handle.onExit().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            handle.destroyForcibly();
            throw new AssertionError("process " + handle.pid() + " did not exit within " + STOP_TIMEOUT_SECONDS
                    + " s; log " + log + ":\n" + logTail());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private CompletableFuture<Void> copyOutputToLog(Process child) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread copier = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                 Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                         StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    out.write(line);
                    out.write('\n');
                    out.flush();
                    if (line.contains(readyLine)) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("the registry exited before it was ready"));
        }, "registry-process-output");
        copier.setDaemon(true);
        copier.start();
        return ready;
    }

    private void appendToLog(String text) {
        try {
            Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path writeDistributionConfig(Path workDir, Path dataDir, int port) {
        // A fixed secret: distribution signs upload state with it, and a random one per start
        // would make every upload URL invalid after a restart.
        List<String> lines = new ArrayList<>(List.of(
                "version: 0.1",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + dataDir,
                "http:",
                "  addr: 127.0.0.1:" + port,
                "  secret: berth-durability-test"));
        try {
            return Files.write(workDir.resolve("distribution.yml"), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
