package dev.berth.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogLineTest {

    @Test
    void parsesConmonRecords() {
        assertThat(LogLine.parse("2026-11-27T21:08:59.648384526+00:00 stdout F out"))
                .isEqualTo(new LogLine("2026-11-27T21:08:59.648384526+00:00", "stdout", false, "out"));
        assertThat(LogLine.parse("2026-11-27T21:08:59.6+01:00 stderr P with  spaces "))
                .isEqualTo(new LogLine("2026-11-27T21:08:59.6+01:00", "stderr", true, "with  spaces "));
        assertThat(LogLine.parse("2026-11-27T21:08:59.6+00:00 stdout F")).extracting(LogLine::message).isEqualTo("");
        assertThat(LogLine.parse("2026-11-27T21:08:59.6+00:00 stdin F x")).isNull();
        assertThat(LogLine.parse("garbage")).isNull();
    }

    @Test
    void rendersWithOrWithoutTimestamp() {
        LogLine line = new LogLine("T", "stdout", false, "m");
        assertThat(line.render(false)).isEqualTo("m\n");
        assertThat(line.render(true)).isEqualTo("T m\n");
    }
}
