package dev.berth.agent.runtime;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent runs the poststart hooks itself. runc 1.1 runs them already at {@code runc create} (checked with
 * 1.1.5), before the container's init has run its startContainer hooks, and hands them status "created"; the
 * runtime spec wants them after the user process started, with status "running". So they are moved out of
 * config.json before {@code runc create} into {@code poststart.json} next to the bundle, and run after the start
 * once the init has exec'd the user's program. A failing hook is logged and the rest still run (runtime-spec
 * 1.0.2). Blocks.
 */
public final class PoststartHooks {

    private static final Logger LOG = LoggerFactory.getLogger(PoststartHooks.class);
    private static final long EXEC_WAIT_MILLIS = 10_000;
    private static final long MAX_HOOK_SECONDS = 120;

    private PoststartHooks() {
    }

    /** Moves {@code hooks.poststart} from the bundle's config.json to {@code store} (nothing when there are none). */
    public static void takeOver(Path bundle, Path store) throws IOException {
        Path configFile = bundle.resolve("config.json");
        JsonObject config = new JsonObject(Files.readString(configFile));
        JsonObject hooks = config.getJsonObject("hooks");
        JsonArray poststart = hooks == null ? null : hooks.getJsonArray("poststart");
        if (poststart == null || poststart.isEmpty()) {
            return;
        }
        Files.writeString(store, poststart.encodePrettily());
        hooks.remove("poststart");
        Path temp = configFile.resolveSibling("config.json.tmp");
        Files.writeString(temp, config.encodePrettily());
        Files.move(temp, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Waits for the init {@code pid} to exec the user's program, then runs the stored hooks in order. */
    public static void run(String id, int pid, Path bundle, Path store, Path output) {
        JsonArray hooks;
        JsonObject config;
        try {
            hooks = new JsonArray(Files.readString(store));
            config = new JsonObject(Files.readString(bundle.resolve("config.json")));
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException | RuntimeException e) {
            LOG.warn("container {}: cannot read poststart hooks: {}", id, e.toString());
            return;
        }
        awaitExec(pid);
        JsonObject state = new JsonObject()
                .put("ociVersion", config.getString("ociVersion", "1.0.2"))
                .put("id", id)
                .put("status", HostProcess.alive(pid) ? "running" : "stopped")
                .put("pid", pid)
                .put("bundle", bundle.toString())
                .put("annotations", config.getJsonObject("annotations", new JsonObject()));
        for (int i = 0; i < hooks.size(); i++) {
            try {
                runOne(hooks.getJsonObject(i), state, output);
            } catch (IOException | RuntimeException e) {
                LOG.warn("container {}: poststart hook {} failed: {}", id, i, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void runOne(JsonObject hook, JsonObject state, Path output) throws IOException, InterruptedException {
        String path = hook.getString("path");
        List<String> argv = new ArrayList<>();
        argv.add(path);
        JsonArray args = hook.getJsonArray("args", new JsonArray());
        // argv[0] comes from the path: Java cannot set it apart from the program
        for (int i = 1; i < args.size(); i++) {
            argv.add(args.getString(i));
        }
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .directory(new File("/"));
        builder.environment().clear();
        for (Object entry : hook.getJsonArray("env", new JsonArray())) {
            String text = (String) entry;
            int eq = text.indexOf('=');
            builder.environment().put(text.substring(0, eq), text.substring(eq + 1));
        }
        Process process = builder.start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(state.encode().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the hook does not read its stdin: fine
        }
        Integer timeout = hook.getInteger("timeout");
        long seconds = timeout == null ? MAX_HOOK_SECONDS : Math.min(timeout, MAX_HOOK_SECONDS);
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(path + " did not finish within " + seconds + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(path + " exited with " + process.exitValue());
        }
    }

    /**
     * runc's init runs as {@code runc init} (its argv[0] is however runc was called, {@code /usr/sbin/runc} under
     * conmon) named {@code runc:[2:INIT]} until it execs the container's process; the startContainer hooks run
     * in between. Polled: the wait is usually shorter than a millisecond.
     */
    static void awaitExec(int pid) {
        long deadline = System.currentTimeMillis() + EXEC_WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline && HostProcess.alive(pid)) {
            try {
                if (!stillRuncInit(pid)) {
                    return;
                }
                Thread.sleep(1);
            } catch (IOException e) {
                return; // gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static boolean stillRuncInit(int pid) throws IOException {
        String comm = Files.readString(Path.of("/proc", Integer.toString(pid), "comm"), StandardCharsets.UTF_8).strip();
        if (comm.startsWith("runc:[")) {
            return true;
        }
        String[] argv = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")),
                StandardCharsets.UTF_8).split("\0");
        return argv.length >= 2 && (argv[0].equals("runc") || argv[0].endsWith("/runc")) && argv[1].equals("init");
    }
}
