package dev.berth.kit.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumerSettingsTest {

  @Test
  void backoffDoublesUpToTheMaximum() {
    ConsumerSettings settings = new ConsumerSettings("b", "g", "t", 1, 10,
        Duration.ofMillis(100), Duration.ofMillis(700), Duration.ofSeconds(1), Map.of());
    assertThat(settings.backoffMillis(1)).isEqualTo(100);
    assertThat(settings.backoffMillis(2)).isEqualTo(200);
    assertThat(settings.backoffMillis(3)).isEqualTo(400);
    assertThat(settings.backoffMillis(4)).isEqualTo(700);
    assertThat(settings.backoffMillis(1000)).isEqualTo(700);
  }
}
