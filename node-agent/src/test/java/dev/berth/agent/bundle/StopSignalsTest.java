package dev.berth.agent.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StopSignalsTest {

    @ParameterizedTest
    @CsvSource({
            "SIGTERM, SIGTERM", "TERM, SIGTERM", "sigquit, SIGQUIT", "int, SIGINT", "15, SIGTERM", "9, SIGKILL",
            "1, SIGHUP", "31, SIGSYS", "SIGRTMIN+3, SIGRTMIN+3", "34, SIGRTMIN", "37, SIGRTMIN+3", "SIGRTMAX, SIGRTMAX",
            "SIGIOT, SIGABRT", "'', SIGTERM"})
    void namesAndNumbersBecomeSigNames(String in, String out) throws Exception {
        assertThat(StopSignals.normalise(in)).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65", "999", "SIGFOO", "SIG", "-15", "15 ", "SIGRTMIN+31", "TERM9"})
    void anythingElseIsRefused(String in) {
        assertThatThrownBy(() -> StopSignals.normalise(in))
                .isInstanceOfSatisfying(BundleException.class,
                        e -> assertThat(e.code()).isEqualTo("INVALID_STOP_SIGNAL"));
    }
}
