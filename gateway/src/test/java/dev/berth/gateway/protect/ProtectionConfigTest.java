package dev.berth.gateway.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.kit.Config;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtectionConfigTest {

    @Test
    void defaultsAreOffAndTheRegistrysManifestLimit() {
        ProtectionConfig c = ProtectionConfig.from(Config.of(Map.of(), Map.of()));
        assertThat(c.ipLimit().off()).isTrue();
        assertThat(c.identityLimit().off()).isTrue();
        assertThat(c.tls()).isNull();
        assertThat(c.allowPlainHttp()).isFalse();
        assertThat(c.manifestBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(c.apiBodyBytes()).isEqualTo(1024L * 1024);
    }

    @Test
    void readsLimitsFromYamlAndEnv() {
        Map<String, Object> yaml = Map.of("gateway", Map.of(
                "rate-limit", Map.of("identity", Map.of("rate", 20, "burst", 100)),
                "trusted-proxies", List.of("10.0.0.0/8")));
        ProtectionConfig c = ProtectionConfig.from(Config.of(yaml, Map.of(
                "BERTH_GATEWAY_RATE_LIMIT_IP_RATE", "0.5",
                "BERTH_GATEWAY_LIMITS_API_BODY_BYTES", "2048")));
        assertThat(c.ipLimit()).isEqualTo(new RateLimit(0.5, 1));
        assertThat(c.identityLimit()).isEqualTo(new RateLimit(20, 100));
        assertThat(c.trustedProxies()).containsExactly("10.0.0.0/8");
        assertThat(c.apiBodyBytes()).isEqualTo(2048);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> ProtectionConfig.from(Config.of(Map.of(),
                Map.of("BERTH_GATEWAY_RATE_LIMIT_IP_RATE", "fast"))))
                .hasMessageContaining("gateway.rate-limit.ip.rate");
        assertThatThrownBy(() -> ProtectionConfig.from(Config.of(Map.of(),
                Map.of("BERTH_GATEWAY_RATE_LIMIT_IP_RATE", "5", "BERTH_GATEWAY_RATE_LIMIT_IP_BURST", "0"))))
                .hasMessageContaining("gateway.rate-limit.ip").hasMessageContaining("burst");
        assertThatThrownBy(() -> ProtectionConfig.from(Config.of(Map.of(),
                Map.of("BERTH_GATEWAY_TRUSTED_PROXIES", "proxy.internal"))))
                .hasMessageContaining("proxy.internal");
    }
}
