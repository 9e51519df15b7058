package dev.berth.agent.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/** Facts about host processes read from /proc. */
public final class HostProcess {

    private HostProcess() {
    }

    /**
     * True while {@code pid} runs. A zombie counts as gone: a daemonized conmon is reparented to the host's
     * init, which may be slow (or, in some sandboxes, never) to reap it.
     */
    public static boolean alive(int pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'.
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The program name of {@code pid} ({@code /proc/<pid>/comm}), empty when it is gone. */
    public static Optional<String> name(int pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc", Integer.toString(pid), "comm"),
                    StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The pid in a pid file, empty when the file is missing or holds no number. */
    public static OptionalInt readPidFile(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(text));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
