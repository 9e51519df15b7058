package dev.berth.oci.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void parsesQuotedParametersWithCommasInside() {
        AuthChallenge c = AuthChallenge.parse(
                "Bearer realm=\"https://auth.example/token\",service=\"registry\",scope=\"repository:a/b:pull,push\"");

        assertThat(c.scheme()).isEqualTo("bearer");
        assertThat(c.param("realm")).isEqualTo("https://auth.example/token");
        assertThat(c.param("service")).isEqualTo("registry");
        assertThat(c.param("scope")).isEqualTo("repository:a/b:pull,push");
    }

    @Test
    void prefersBearerOverBasic() {
        assertThat(AuthChallenge.choose(List.of("Basic realm=\"x\"", "Bearer realm=\"y\"")))
                .get().extracting(AuthChallenge::scheme).isEqualTo("bearer");
        assertThat(AuthChallenge.choose(List.of("Basic realm=x")))
                .get().extracting(c -> c.param("realm")).isEqualTo("x");
        assertThat(AuthChallenge.choose(List.of())).isEmpty();
    }
}
