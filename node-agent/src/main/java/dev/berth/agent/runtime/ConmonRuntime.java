package dev.berth.agent.runtime;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.berth.agent.host.DirectSpawn;
import dev.berth.agent.host.LinuxCalls;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Runs containers with runc under conmon. Every method blocks (it runs processes and reads files): call it
 * off the event loop.
 *
 * <p>conmon daemonizes: the process we start forks, prints nothing and exits at once, and the real monitor
 * is reparented to the host's init. So a container outlives the agent's JVM. conmon runs {@code runc create}
 * and reports the outcome through the fd named by {@code _OCI_SYNCPIPE}. Java cannot hand an extra fd to a
 * child, so a small {@code sh} wrapper opens fd 3 on a FIFO the agent made and reads: the agent wakes the
 * moment conmon writes (and sees end of file if conmon dies first). Without native calls ({@link LinuxCalls})
 * the FIFO is a plain file, polled.
 *
 * <p>{@link #start} does what {@code runc start} does, without the runc process: a created container's init
 * waits, blocked, until someone opens runc's {@code exec.fifo} for reading; it then writes one byte and execs
 * the user's program, and runc reports the container running once that FIFO is removed. See node-agent's README.
 */
public final class ConmonRuntime {

    private static final long RUNC_TIMEOUT_SECONDS = 60;
    private static final int WAIT_SLICE_MILLIS = 250;
    static final String EXEC_FIFO = "exec.fifo";

    private final RuntimeSettings settings;
    private final Optional<LinuxCalls> calls;
    private final Optional<DirectSpawn> spawner;

    public ConmonRuntime(RuntimeSettings settings) {
        this(settings, LinuxCalls.get(), DirectSpawn.get());
    }

    /**
     * @param calls empty: every step through runc and files (the path for hosts without native calls)
     * @param spawner empty: conmon starts through the JDK and a shell wrapper
     */
    ConmonRuntime(RuntimeSettings settings, Optional<LinuxCalls> calls, Optional<DirectSpawn> spawner) {
        this.settings = settings;
        this.calls = calls;
        this.spawner = spawner;
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
        List<String> conmon = new ArrayList<>(List.of(settings.conmon().toString(),
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
            conmon.addAll(List.of("--log-size-max", Long.toString(settings.logSizeMax())));
        }
        int syncFd = -1;
        try {
            if (calls.isPresent()) {
                syncFd = CreateReport.openFifo(calls.get(), files.syncFile());
            }
            if (syncFd >= 0 && spawner.isPresent()) {
                return spawnDirectly(conmon, files, syncFd);
            }
            launchThroughShell(conmon, files);
            return syncFd >= 0 ? CreateReport.await(calls.get(), syncFd, files) : CreateReport.poll(files);
        } catch (IOException e) {
            deleteQuietly(id);
            throw new RuncException("cannot start conmon: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteQuietly(id);
            throw new RuncException("interrupted while creating " + id, e);
        } catch (RuncException e) {
            deleteQuietly(id);
            throw e;
        } finally {
            if (syncFd >= 0) {
                calls.get().closeQuietly(syncFd);
            }
        }
    }

    /**
     * conmon started by posix_spawn with the sync FIFO as its fd 3. conmon also creates an "oom" file in its working
     * directory (for old podman and CRI-O) after an OOM kill: that is the persist dir, where its own "oom" goes.
     * The launched conmon forks its monitor and exits; it is reaped once the report is in (or conmon failed).
     */
    private int spawnDirectly(List<String> conmon, RunFiles files, int syncFd) throws IOException, RuncException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("_OCI_SYNCPIPE", "3");
        DirectSpawn spawn = spawner.get();
        int launcher = spawn.spawn(conmon, env, files.persistDir(), files.conmonOutput(), files.syncFile());
        try {
            return CreateReport.await(calls.get(), syncFd, files);
        } finally {
            spawn.awaitExit(launcher);
        }
    }

    /**
     * conmon through the JDK, which cannot hand a child an extra fd: a small {@code sh} opens fd 3 on the sync
     * file and execs conmon. Returns once the launched conmon has forked its monitor and exited.
     */
    private static void launchThroughShell(List<String> conmon, RunFiles files) throws IOException, InterruptedException,
            RuncException {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "exec 3>\"$0\"; exec \"$@\"",
                files.syncFile().toString()));
        argv.addAll(conmon);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(files.persistDir().toFile()) // for conmon's "oom" file, see spawnDirectly
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.conmonOutput().toFile()))
                .redirectErrorStream(true);
        builder.environment().put("_OCI_SYNCPIPE", "3");
        if (builder.start().waitFor() != 0) {
            throw new RuncException("conmon failed to start: " + CreateReport.conmonOutput(files));
        }
    }

    /**
     * Starts a created container: opens runc's exec FIFO as {@code runc start} would (its init then execs the
     * user's program, after the startContainer hooks) and removes it, so runc reports the container running.
     * Falls back to {@code runc start} when the FIFO is not there (the container is not in state created: runc
     * gives the precise error) or native calls are missing.
     *
     * @param pid the container's init pid, to notice an init that died before it opened its end
     */
    public void start(String id, int pid) throws RuncException {
        Path fifo = settings.runcRoot().resolve(id).resolve(EXEC_FIFO);
        if (calls.isEmpty() || pid <= 0 || !Files.exists(fifo)) {
            runc("start", id);
            return;
        }
        LinuxCalls native_ = calls.get();
        int fd;
        try {
            fd = native_.openReadNonBlocking(fifo.toString());
        } catch (IOException e) {
            runc("start", id); // removed in between: runc says why
            return;
        }
        try {
            awaitExecByte(native_, fd, id, pid);
        } catch (IOException e) {
            throw new RuncException("starting " + id + ": " + e.getMessage(), e);
        } finally {
            native_.closeQuietly(fd);
        }
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            throw new RuncException("starting " + id + ": removing " + fifo + ": " + e.getMessage(), e);
        }
    }

    /** Waits for the init's one byte on the exec FIFO. No writer yet reads as 0 too: only a dead init ends the wait. */
    private static void awaitExecByte(LinuxCalls calls, int fd, String id, int pid) throws IOException, RuncException {
        long deadline = System.currentTimeMillis() + RUNC_TIMEOUT_SECONDS * 1000;
        byte[] one = new byte[1];
        while (true) {
            int n = calls.readSome(fd, one);
            if (n > 0) {
                return;
            }
            boolean initGone = !HostProcess.alive(pid);
            if (initGone && calls.readSome(fd, one) <= 0) {
                throw new RuncException("cannot start " + id + ": its init process is gone");
            } else if (initGone) {
                return;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new RuncException("cannot start " + id + ": its init did not open the exec FIFO within "
                        + RUNC_TIMEOUT_SECONDS + " s");
            }
            // A writer that came and went without writing leaves POLLHUP set for good: sleep instead of spinning.
            short events = calls.pollIn(fd, (int) Math.min(WAIT_SLICE_MILLIS, left));
            if ((events & LinuxCalls.POLLIN) == 0 && (events & LinuxCalls.POLLHUP) != 0) {
                sleepQuietly(1);
            }
        }
    }

    private static void sleepQuietly(long millis) throws RuncException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuncException("interrupted", e);
        }
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
