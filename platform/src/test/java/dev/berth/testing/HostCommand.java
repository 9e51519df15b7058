package dev.berth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host tool to completion and captures what it printed. Both streams are drained
 * concurrently so a chatty tool can never block on a full pipe.
 */
public final class HostCommand {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private final List<String> command;
    private Path workDir;
    private Duration timeout = DEFAULT_TIMEOUT;

    private HostCommand(List<String> command) {
        this.command = List.copyOf(command);
    }

    public static HostCommand of(String... command) {
        return new HostCommand(List.of(command));
    }

    public static HostCommand of(List<String> command) {
        return new HostCommand(command);
    }

    public HostCommand in(Path dir) {
        this.workDir = dir;
        return this;
    }

    public HostCommand timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** What a finished command printed; stdout is kept as bytes because some tools print raw blobs. */
    public record Result(List<String> command, int exitCode, byte[] stdoutBytes, String stderr) {
        public String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        public boolean succeeded() {
            return exitCode == 0;
        }

        public String describe() {
            return "`" + String.join(" ", command) + "` exited with " + exitCode
                    + "\n--- stdout ---\n" + tail(stdout()) + "\n--- stderr ---\n" + tail(stderr);
        }

        private static String tail(String text) {
            int limit = 4000;
            return text.length() <= limit ? text : "..." + text.substring(text.length() - limit);
        }
    }

    /** Runs the command and returns its result whatever the exit code. */
    public Result run() {
        System.out.println("$ " + String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        closeQuietly(process);
        CompletableFuture<byte[]> stdout = drain(process.getInputStream());
        CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("`" + String.join(" ", command) + "` did not finish within "
                        + timeout + "; stderr so far:\n" + new String(stderr.getNow(new byte[0]), StandardCharsets.UTF_8));
            }
            Result result = new Result(command, process.exitValue(), stdout.get(),
                    new String(stderr.get(), StandardCharsets.UTF_8));
            if (!result.succeeded()) {
                System.out.println(result.describe());
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + command, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the output of " + command, e.getCause());
        }
    }

    /** Runs the command and fails the test, showing everything the tool printed, unless it exits 0. */
    public Result runOk() {
        Result result = run();
        if (!result.succeeded()) {
            throw new AssertionError(result.describe());
        }
        return result;
    }

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // The tool does not read stdin; a failed close changes nothing.
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        CompletableFuture<byte[]> bytes = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                bytes.complete(stream.readAllBytes());
            } catch (IOException e) {
                bytes.completeExceptionally(e);
            }
        }, "host-command-output");
        reader.setDaemon(true);
        reader.start();
        return bytes;
    }
}
