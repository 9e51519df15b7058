package dev.berth.agent.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short host command to completion, capturing (the first 64 KiB of) its output. Blocks. */
final class Command {

    private static final int MAX_OUTPUT = 64 * 1024;

    record Result(int exitCode, String stdout, String stderr) {
        String describe() {
            String err = stderr.isBlank() ? stdout : stderr;
            return "exit " + exitCode + ": " + err.strip();
        }
    }

    private Command() {
    }

    static Result run(List<String> argv, long timeoutSeconds) throws RuncException {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new RuncException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        }
        try {
            // stderr is read on a thread of its own so a chatty command cannot fill one pipe and stall.
            StreamGrabber err = new StreamGrabber(process.getErrorStream());
            err.start();
            String out = read(process.getInputStream());
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new RuncException(String.join(" ", argv.subList(0, Math.min(3, argv.size())))
                        + " did not finish within " + timeoutSeconds + " s");
            }
            err.join();
            return new Result(process.exitValue(), out, err.text);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RuncException("interrupted while running " + argv.get(0), e);
        } catch (IOException e) {
            throw new RuncException("reading output of " + argv.get(0) + ": " + e.getMessage(), e);
        }
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            int room = MAX_OUTPUT - kept.size();
            if (room > 0) {
                kept.write(buf, 0, Math.min(room, n));
            }
        }
        return kept.toString(StandardCharsets.UTF_8);
    }

    private static final class StreamGrabber extends Thread {
        private final InputStream in;
        private volatile String text = "";

        StreamGrabber(InputStream in) {
            super("command-stderr");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            try {
                text = read(in);
            } catch (IOException e) {
                text = "(stderr unreadable: " + e.getMessage() + ")";
            }
        }
    }
}
