package dev.berth.agent.runtime;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Runs containers with runc under conmon. Every method blocks (it runs processes and reads files): call it
 * off the event loop.
 *
 * <p>conmon daemonizes: the process we start forks, prints nothing and exits at once, and the real monitor
 * is reparented to the host's init. So a container outlives the agent's JVM. conmon runs {@code runc create}
 * and reports the outcome through the fd named by {@code _OCI_SYNCPIPE}; a small {@code sh} wrapper points
 * that fd at a file, which we poll (Java cannot hand an extra pipe to a child).
 */
public final class ConmonRuntime {

    private static final long RUNC_TIMEOUT_SECONDS = 60;
    private static final long CREATE_TIMEOUT_MILLIS = 60_000;
    private static final long POLL_MILLIS = 5;

    private final RuntimeSettings settings;

    public ConmonRuntime(RuntimeSettings settings) {
        this.settings = settings;
    }

    public RuntimeSettings settings() {
        return settings;
    }

    /**
     * {@code runc create} under a new conmon. Returns the container's init pid. On failure no runc container
     * with this id is left.
     */
    public int create(String id, RunFiles files) throws RuncException {
        try {
            Files.createDirectories(files.persistDir());
            Files.createDirectories(files.exitDir());
            Files.createDirectories(settings.socketDir());
            Files.createDirectories(settings.runcRoot());
            for (Path stale : List.of(files.syncFile(), files.pidFile(), files.conmonPidFile(),
                    files.exitDir().resolve(id), files.persistDir().resolve("exit"), files.persistDir().resolve("oom"))) {
                Files.deleteIfExists(stale);
            }
        } catch (IOException e) {
            throw new RuncException("preparing conmon files: " + e.getMessage(), e);
        }
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "exec 3>\"$0\"; exec \"$@\"",
                files.syncFile().toString(), settings.conmon().toString(),
                "--api-version", "1",
                "--bundle", files.bundle().toString(),
                "--cid", id, "--cuuid", id, "--name", id,
                "--runtime", settings.runc().toString(),
                "--runtime-arg", "--root=" + settings.runcRoot(),
                "--exit-dir", files.exitDir().toString(),
                "--persist-dir", files.persistDir().toString(),
                "--log-path", "k8s-file:" + files.logFile(),
                "--container-pidfile", files.pidFile().toString(),
                "--conmon-pidfile", files.conmonPidFile().toString(),
                "--socket-dir-path", settings.socketDir().toString()));
        if (settings.logSizeMax() > 0) {
            argv.addAll(List.of("--log-size-max", Long.toString(settings.logSizeMax())));
        }
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.conmonOutput().toFile()))
                .redirectErrorStream(true);
        builder.environment().put("_OCI_SYNCPIPE", "3");
        try {
            Process launcher = builder.start();
            if (launcher.waitFor() != 0) {
                throw new RuncException("conmon failed to start: " + conmonOutput(files));
            }
            return awaitCreated(id, files);
        } catch (IOException e) {
            throw new RuncException("cannot start conmon: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteQuietly(id);
            throw new RuncException("interrupted while creating " + id, e);
        } catch (RuncException e) {
            deleteQuietly(id);
            throw e;
        }
    }

    private int awaitCreated(String id, RunFiles files) throws RuncException, InterruptedException {
        long deadline = System.currentTimeMillis() + CREATE_TIMEOUT_MILLIS;
        while (true) {
            Optional<JsonObject> sync = readSync(files.syncFile());
            if (sync.isPresent()) {
                int pid = sync.get().getInteger("data", -1);
                if (pid > 0) {
                    return pid;
                }
                String message = sync.get().getString("message", "runc create failed");
                throw new RuncException(message.strip());
            }
            OptionalInt conmonPid = HostProcess.readPidFile(files.conmonPidFile());
            if (conmonPid.isPresent() && !HostProcess.alive(conmonPid.getAsInt()) && readSync(files.syncFile()).isEmpty()) {
                throw new RuncException("conmon exited before the container was created: " + conmonOutput(files));
            }
            if (System.currentTimeMillis() > deadline) {
                conmonPid.ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                throw new RuncException("runc create did not finish within " + CREATE_TIMEOUT_MILLIS / 1000 + " s");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static Optional<JsonObject> readSync(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!text.endsWith("}")) {
                return Optional.empty();
            }
            // conmon may append a second message (the exit status); the first one is the create result.
            int end = text.indexOf('}');
            return Optional.of(new JsonObject(text.substring(0, end + 1)));
        } catch (IOException | DecodeException e) {
            return Optional.empty();
        }
    }

    private static String conmonOutput(RunFiles files) {
        try {
            String text = Files.readString(files.conmonOutput(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(no output)" : text;
        } catch (IOException e) {
            return "(no output)";
        }
    }

    public void start(String id) throws RuncException {
        runc("start", id);
    }

    /** @param signal a canonical name, see {@link Signals#canonical} */
    public void kill(String id, String signal) throws RuncException {
        runc("kill", id, Integer.toString(Signals.number(signal)));
    }

    /** {@code runc delete}, which also runs the poststop hooks; {@code force} kills a running container first. */
    public void delete(String id, boolean force) throws RuncException {
        if (force) {
            runc("delete", "--force", id);
        } else {
            runc("delete", id);
        }
    }

    /**
     * {@code runc delete} when runc knows the container: one runc call instead of {@code state} + {@code delete}.
     * @return false when runc did not know it
     */
    public boolean deleteIfPresent(String id, boolean force) throws RuncException {
        Command.Result result = Command.run(force ? runcArgv("delete", "--force", id) : runcArgv("delete", id),
                RUNC_TIMEOUT_SECONDS);
        if (result.exitCode() == 0) {
            return true;
        }
        if (result.stderr().contains("does not exist")) {
            return false;
        }
        throw new RuncException("runc delete " + id + ": " + result.describe());
    }

    /** {@code runc delete --force}, ignoring "does not exist". */
    public void deleteQuietly(String id) {
        try {
            if (state(id).isPresent()) {
                delete(id, true);
            }
        } catch (RuncException ignored) {
            // best effort: the caller is already reporting a failure
        }
    }

    /** {@code runc state}, empty when runc does not know the container. */
    public Optional<RuncState> state(String id) throws RuncException {
        Command.Result result = Command.run(runcArgv("state", id), RUNC_TIMEOUT_SECONDS);
        if (result.exitCode() != 0) {
            if (result.stderr().contains("does not exist")) {
                return Optional.empty();
            }
            throw new RuncException("runc state " + id + ": " + result.describe());
        }
        JsonObject json = new JsonObject(result.stdout());
        return Optional.of(new RuncState(json.getString("id"), json.getString("status"), json.getInteger("pid", 0)));
    }

    /** Ids of every container in this agent's runc root. */
    public List<String> list() throws RuncException {
        Command.Result result = Command.run(runcArgv("list", "--format", "json"), RUNC_TIMEOUT_SECONDS);
        if (result.exitCode() != 0) {
            throw new RuncException("runc list: " + result.describe());
        }
        String out = result.stdout().strip();
        List<String> ids = new ArrayList<>();
        if (out.isEmpty() || out.equals("null")) {
            return ids;
        }
        for (Object entry : new JsonArray(out)) {
            ids.add(((JsonObject) entry).getString("id"));
        }
        return ids;
    }

    /** How the container exited, once conmon has written its exit file. */
    public Optional<ExitRecord> exit(String id, RunFiles files) {
        Path exitFile = files.exitDir().resolve(id);
        try {
            String text = Files.readString(exitFile, StandardCharsets.US_ASCII).strip();
            if (text.isEmpty()) {
                return Optional.empty(); // being written
            }
            return Optional.of(new ExitRecord(Integer.parseInt(text), Files.exists(files.persistDir().resolve("oom")),
                    Files.getLastModifiedTime(exitFile).toInstant()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The container's conmon still runs (and its pid has not been reused by another program). */
    public boolean conmonAlive(RunFiles files) {
        OptionalInt pid = HostProcess.readPidFile(files.conmonPidFile());
        return pid.isPresent() && HostProcess.alive(pid.getAsInt())
                && HostProcess.name(pid.getAsInt()).map(n -> n.equals("conmon")).orElse(false);
    }

    /**
     * Asks conmon to reopen its log file (message 2 on the bundle's {@code ctl} FIFO), after the agent renamed
     * it away. Returns false when conmon is not listening. A short-lived {@code sh} does the write: opening a FIFO
     * whose reader is gone would block forever, and a child process can be timed out where a JVM thread cannot.
     */
    public boolean reopenLog(RunFiles files) {
        if (!conmonAlive(files)) {
            return false;
        }
        try {
            Command.Result result = Command.run(List.of("/bin/sh", "-c", "printf '2 0 0\\n' > \"$0\"",
                    files.bundle().resolve("ctl").toString()), 5);
            return result.exitCode() == 0;
        } catch (RuncException e) {
            return false;
        }
    }

    public String runcVersion() {
        return firstLine(settings.runc().toString());
    }

    public String conmonVersion() {
        return firstLine(settings.conmon().toString());
    }

    private static String firstLine(String executable) {
        try {
            Command.Result result = Command.run(List.of(executable, "--version"), 10);
            return result.stdout().lines().findFirst().orElse("unknown").strip();
        } catch (RuncException e) {
            return "unavailable: " + e.getMessage();
        }
    }


    private void runc(String... args) throws RuncException {
        Command.Result result = Command.run(runcArgv(args), RUNC_TIMEOUT_SECONDS);
        if (result.exitCode() != 0) {
            throw new RuncException("runc " + args[0] + " " + args[args.length - 1] + ": " + result.describe());
        }
    }

    private List<String> runcArgv(String... args) {
        List<String> argv = new ArrayList<>(List.of(settings.runc().toString(), "--root", settings.runcRoot().toString()));
        argv.addAll(List.of(args));
        return argv;
    }
}
