package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure a Docker engine answers {@code docker info}. An engine that is already running is
 * used as is; otherwise {@code dockerd} is started (CI starts from a machine where it is not
 * running) and the engine this class started is stopped when the JVM exits.
 */
public final class DockerDaemon {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static Path dockerClient;

    private DockerDaemon() {
    }

    /**
     * Returns the docker client once the engine answers; skips (fails on CI) when docker is
     * missing or the engine cannot be started.
     */
    public static synchronized Path ensureRunning() {
        if (dockerClient != null) {
            return dockerClient;
        }
        Path docker = HostTools.require("docker");
        if (!answers(docker)) {
            start(docker);
        }
        dockerClient = docker;
        return docker;
    }

    private static boolean answers(Path docker) {
        return HostCommand.of(docker.toString(), "info").timeout(Duration.ofSeconds(30)).run().succeeded();
    }

    private static void start(Path docker) {
        Path dockerd = HostTools.require("dockerd");
        Path log = logFile();
        Process process;
        try {
            process = new ProcessBuilder(dockerd.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            HostTools.unavailable("cannot start " + dockerd + ": " + e.getMessage());
            return;
        }
        System.out.println("started " + dockerd + " (pid " + process.pid() + "), log in " + log);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "stop-dockerd"));

        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                HostTools.unavailable("dockerd exited with " + process.exitValue()
                        + " before answering (it needs root); its log:\n" + tail(log));
            }
            if (answers(docker)) {
                return;
            }
            sleep(Duration.ofMillis(500));
        }
        HostTools.unavailable("dockerd did not answer `docker info` within " + READY_TIMEOUT + "; its log:\n" + tail(log));
    }

    private static void stop(Process process) {
        // SIGTERM lets dockerd stop its containerd and release its state cleanly.
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path logFile() {
        try {
            Path dir = Path.of("target").toAbsolutePath();
            Files.createDirectories(dir);
            return Files.createTempFile(dir, "dockerd-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= 3000 ? text : "..." + text.substring(text.length() - 3000);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
