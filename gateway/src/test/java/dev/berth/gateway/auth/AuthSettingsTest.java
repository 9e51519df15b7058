package dev.berth.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.kit.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthSettingsTest {

    @Test
    void isOnByDefaultWithItsOwnDatabase() {
        AuthSettings s = AuthSettings.from(Config.of(Map.of(), Map.of()));
        assertThat(s.enabled()).isTrue();
        assertThat(s.database().database()).isEqualTo("berth_gateway");
        assertThat(s.signingKeyFile()).isEqualTo(Path.of("data/token-signing-key.pem"));
        assertThat(s.service()).isEqualTo("berth");
        assertThat(s.tokenTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.adminPassword()).isNull();
    }

    @Test
    void readsTheEnvironmentIncludingTheAdminPassword() {
        AuthSettings s = AuthSettings.from(Config.of(Map.of("gateway", Map.of("database", Map.of("name", "ids"))),
                Map.of("BERTH_ADMIN_PASSWORD", "from-the-env", "BERTH_GATEWAY_AUTH_LOCKOUT_MAX_FAILURES", "7")));
        assertThat(s.adminPassword()).isEqualTo("from-the-env");
        assertThat(s.maxFailures()).isEqualTo(7);
        assertThat(s.database().database()).isEqualTo("ids");
        assertThat(s.toString()).doesNotContain("from-the-env");
    }

    @Test
    void canBeTurnedOffAndRefusesNonsense() {
        assertThat(AuthSettings.from(Config.of(Map.of(), Map.of("BERTH_GATEWAY_AUTH_ENABLED", "false"))).enabled())
                .isFalse();
        assertThatThrownBy(() -> AuthSettings.from(Config.of(Map.of(), Map.of("BERTH_ADMIN_PASSWORD", "short"))))
                .hasMessageContaining("BERTH_ADMIN_PASSWORD");
        assertThatThrownBy(() -> AuthSettings.from(Config.of(Map.of(),
                Map.of("BERTH_GATEWAY_AUTH_TOKEN_TTL_SECONDS", "0")))).hasMessageContaining("token-ttl-seconds");
    }
}
