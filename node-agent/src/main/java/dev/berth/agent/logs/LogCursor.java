package dev.berth.agent.logs;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a container's log records in order across rotated files and the live file, and keeps reading as
 * conmon appends. It holds the live file open, so when the agent rotates it (renames it to {@code .1}) the
 * cursor first drains the renamed file, then continues with the new one. Partial records are joined. Blocks.
 */
public final class LogCursor implements Closeable {

    /** Longest line handed out whole; longer ones are cut. */
    static final int MAX_LINE_CHARS = 1 << 20;

    private final Path live;
    private final int keep;
    private boolean listed;
    private final Deque<Path> older = new ArrayDeque<>();
    private final ByteArrayOutputStream carry = new ByteArrayOutputStream();
    private final Map<String, StringBuilder> partials = new HashMap<>();
    private FileChannel channel;
    private Object fileKey;
    private boolean onLive;

    private LogCursor(Path live, int keep) {
        this.live = live;
        this.keep = keep;
    }

    /** From the oldest kept record. Touches no file until the first {@link #next} (it may run on an event loop). */
    public static LogCursor fromStart(Path live, int keep) {
        return new LogCursor(live, keep);
    }

    /**
     * The next complete records, reading at most about {@code maxBytes}; empty when there is nothing new.
     *
     * @param streams {@code stdout}, {@code stderr}, or null for both
     */
    public List<LogLine> next(int maxBytes, String streams) throws IOException {
        List<LogLine> out = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(maxBytes, 64 * 1024));
        int budget = maxBytes;
        while (budget > 0) {
            if (channel == null && !open()) {
                break;
            }
            buffer.clear();
            int n = channel.read(buffer);
            if (n <= 0) {
                if (!advance()) {
                    break;
                }
                continue;
            }
            budget -= n;
            split(buffer.array(), n, out, streams);
        }
        return out;
    }

    private boolean open() throws IOException {
        if (!listed) {
            listed = true;
            List<Path> files = LogRotation.filesOldestFirst(live, keep);
            files.remove(live);
            older.addAll(files);
        }
        Path next = older.isEmpty() ? live : older.peekFirst();
        try {
            channel = FileChannel.open(next, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            if (!older.isEmpty()) {
                older.pollFirst();
                return open();
            }
            return false;
        }
        onLive = older.isEmpty();
        if (!onLive) {
            older.pollFirst();
        }
        fileKey = Files.readAttributes(next, BasicFileAttributes.class).fileKey();
        return true;
    }

    /** At the end of the current file: move to the next one if there is one. */
    private boolean advance() throws IOException {
        if (onLive) {
            Object current;
            try {
                current = Files.readAttributes(live, BasicFileAttributes.class).fileKey();
            } catch (NoSuchFileException e) {
                return false; // renamed, conmon has not reopened yet
            }
            if (Objects.equals(current, fileKey)) {
                return false;
            }
        }
        channel.close();
        channel = null;
        return true;
    }

    private void split(byte[] bytes, int length, List<LogLine> out, String streams) {
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n') {
                carry.write(bytes, start, i - start);
                String text = carry.toString(StandardCharsets.UTF_8);
                carry.reset();
                start = i + 1;
                LogLine line = LogLine.parse(text);
                if (line != null) {
                    join(line, out, streams);
                }
            }
        }
        carry.write(bytes, start, length - start);
    }

    private void join(LogLine line, List<LogLine> out, String streams) {
        if (line.partial()) {
            StringBuilder pending = partials.computeIfAbsent(line.stream(), s -> new StringBuilder());
            pending.append(line.message());
            if (pending.length() < MAX_LINE_CHARS) {
                return;
            }
            // a line without end: hand it out in pieces rather than hold it whole
            line = new LogLine(line.timestamp(), line.stream(), false, "");
        }
        StringBuilder before = partials.remove(line.stream());
        LogLine whole = before == null ? line
                : new LogLine(line.timestamp(), line.stream(), false, before.append(line.message()).toString());
        if (streams == null || streams.equals(whole.stream())) {
            out.add(whole);
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
