package dev.berth.agent.runtime;

import dev.berth.agent.host.LinuxCalls;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * conmon's report of {@code runc create} on its sync fd ({@code _OCI_SYNCPIPE}): a JSON message whose
 * {@code data} is the container's init pid, or negative with a {@code message} when runc failed. Read from a
 * FIFO as it is written, or, without native calls, from a plain file that is polled.
 */
final class CreateReport {

    private static final long CREATE_TIMEOUT_MILLIS = 60_000;
    private static final long POLL_MILLIS = 5;
    private static final int WAIT_SLICE_MILLIS = 250;

    private CreateReport() {
    }

    /**
     * Makes {@code file} a FIFO and opens its read end (non-blocking, so it opens before any writer). The
     * wrapper's {@code exec 3>FILE} then opens at once too, since a reader is there.
     */
    static int openFifo(LinuxCalls calls, Path file) throws IOException {
        if (calls.libc().mkfifo(file.toString(), 0600) != 0) {
            throw new IOException("mkfifo " + file + ": " + LinuxCalls.describe(calls.errno()));
        }
        return calls.openReadNonBlocking(file.toString());
    }

    /**
     * Reads conmon's create report from the sync FIFO: wakes when conmon writes, or sees end of file when every
     * conmon holding the write end is gone. The launcher has exited by now, so its daemon holds that end.
     */
    static int await(LinuxCalls calls, int fd, RunFiles files) throws RuncException, IOException {
        long deadline = System.currentTimeMillis() + CREATE_TIMEOUT_MILLIS;
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                HostProcess.readPidFile(files.conmonPidFile())
                        .ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                throw new RuncException("runc create did not finish within " + CREATE_TIMEOUT_MILLIS / 1000 + " s");
            }
            short events = calls.pollIn(fd, (int) Math.min(WAIT_SLICE_MILLIS, left));
            if (events == 0) {
                continue;
            }
            int n = calls.readSome(fd, buffer);
            if (n > 0) {
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                Optional<JsonObject> sync = parseSync(text.toString());
                if (sync.isPresent()) {
                    return createdPid(sync.get());
                }
            } else if (n == 0) {
                Optional<JsonObject> sync = parseSync(text.toString());
                if (sync.isPresent()) {
                    return createdPid(sync.get());
                }
                throw new RuncException("conmon exited before the container was created: " + conmonOutput(files));
            }
        }
    }

    private static int createdPid(JsonObject sync) throws RuncException {
        int pid = sync.getInteger("data", -1);
        if (pid > 0) {
            return pid;
        }
        String message = sync.getString("message", "runc create failed");
        throw new RuncException(message.strip());
    }

    /** The same without native calls: the sync "FIFO" is a plain file, polled. */
    static int poll(RunFiles files) throws RuncException, InterruptedException {
        long deadline = System.currentTimeMillis() + CREATE_TIMEOUT_MILLIS;
        while (true) {
            Optional<JsonObject> sync = readSync(files.syncFile());
            if (sync.isPresent()) {
                return createdPid(sync.get());
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
            return parseSync(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The first whole message in what conmon wrote so far (a second one, the exit status, may follow). */
    private static Optional<JsonObject> parseSync(String written) {
        String text = written.strip();
        int end = text.indexOf('}');
        if (!text.startsWith("{") || end < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new JsonObject(text.substring(0, end + 1)));
        } catch (DecodeException e) {
            return Optional.empty();
        }
    }

    static String conmonOutput(RunFiles files) {
        try {
            String text = Files.readString(files.conmonOutput(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(no output)" : text;
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
