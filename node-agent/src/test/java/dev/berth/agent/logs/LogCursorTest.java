package dev.berth.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCursorTest {

    @TempDir
    Path dir;

    @Test
    void joinsPartialsAcrossRotatedFilesAndFollowsARename() throws Exception {
        Path live = dir.resolve("container.log");
        Files.writeString(dir.resolve("container.log.2"), "t1 stdout F one\n");
        Files.writeString(dir.resolve("container.log.1"), "t2 stdout P tw\nt3 stderr F err\n");
        Files.writeString(live, "t4 stdout F o\nt5 stdout F three\nt6 stdout F fo");

        try (LogCursor cursor = LogCursor.fromStart(live, 5)) {
            assertThat(messages(cursor.next(1 << 20, null))).containsExactly("one", "err", "two", "three");
            assertThat(cursor.next(1 << 20, null)).isEmpty(); // "fo" has no newline yet

            Files.writeString(live, "ur\n", StandardOpenOption.APPEND);
            Files.move(live, dir.resolve("container.log.1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(live, "t7 stdout F five\n");

            assertThat(messages(cursor.next(1 << 20, "stdout"))).containsExactly("four", "five");
        }
    }

    private static List<String> messages(List<LogLine> lines) {
        return lines.stream().map(LogLine::message).toList();
    }
}
