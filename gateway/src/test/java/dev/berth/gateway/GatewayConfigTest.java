package dev.berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.kit.Config;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  @Test
  void defaultsSuitALaptop() {
    GatewayConfig c = GatewayConfig.from(Config.of(Map.of(), Map.of()));
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(5000);
    assertThat(c.upstreams()).isEmpty();
    assertThat(c.externalUrl()).isNull();
    assertThat(c.healthCheckIntervalMs()).isEqualTo(2000);
    assertThat(c.instances()).isPositive();
  }

  @Test
  void readsYamlAndEnvironment() {
    Map<String, Object> yaml = Map.of("gateway", Map.of(
        "port", 5100, "upstreams", List.of("http://127.0.0.1:5001"), "external-url", "https://reg.example/"));
    GatewayConfig c = GatewayConfig.from(Config.of(yaml, Map.of(
        "BERTH_GATEWAY_UPSTREAMS", "http://127.0.0.1:5001,http://127.0.0.1:5002",
        "BERTH_GATEWAY_HEALTH_CHECK_INTERVAL_MS", "500")));
    assertThat(c.port()).isEqualTo(5100);
    assertThat(c.upstreams()).containsExactly("http://127.0.0.1:5001", "http://127.0.0.1:5002");
    assertThat(c.externalUrl()).isEqualTo("https://reg.example");
    assertThat(c.healthCheckIntervalMs()).isEqualTo(500);
  }

  @Test
  void rejectsAnUpstreamThatIsNotAnHttpUrl() {
    assertThatThrownBy(() -> new GatewayConfig("127.0.0.1", 5000, List.of("127.0.0.1:5001"), null, 2000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gateway.upstreams");
  }
}
