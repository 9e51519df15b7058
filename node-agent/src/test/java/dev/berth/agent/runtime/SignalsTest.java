package dev.berth.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignalsTest {

    @Test
    void namesNumbersAndCaseAllCanonicalize() {
        assertThat(Signals.canonical("SIGTERM")).contains("SIGTERM");
        assertThat(Signals.canonical("term")).contains("SIGTERM");
        assertThat(Signals.canonical("15")).contains("SIGTERM");
        assertThat(Signals.canonical("9")).contains("SIGKILL");
        assertThat(Signals.canonical("SIGIOT")).contains("SIGABRT");
        assertThat(Signals.canonical("40")).contains("SIGRTMIN+6");
        assertThat(Signals.number("SIGRTMIN+6")).isEqualTo(40);
        assertThat(Signals.number("SIGHUP")).isEqualTo(1);
    }

    @Test
    void unknownSignalsAreRejected() {
        assertThat(Signals.canonical("SIGFOO")).isEmpty();
        assertThat(Signals.canonical("0")).isEmpty();
        assertThat(Signals.canonical("65")).isEmpty();
        assertThat(Signals.canonical("32")).isEmpty();
        assertThat(Signals.canonical("-9")).isEmpty();
        assertThat(Signals.canonical("")).isEmpty();
        assertThat(Signals.canonical("999")).isEmpty();
    }
}
