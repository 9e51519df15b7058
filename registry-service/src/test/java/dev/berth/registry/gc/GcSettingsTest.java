package dev.berth.registry.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.kit.Config;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** registry.gc.* from config and env, and the clear errors for values that make no sense. */
class GcSettingsTest {

    private static Config config(Map<String, String> env) {
        return Config.of(Map.of(), env);
    }

    @Test
    void defaultsRunNoScheduleKeepUntaggedManifestsAndWaitAnHour() {
        GcSettings s = GcSettings.from(config(Map.of()));
        assertThat(s).isEqualTo(GcSettings.defaults());
        assertThat(s.interval()).isNull();
        assertThat(s.deleteUntagged()).isFalse();
        assertThat(s.gracePeriod()).isEqualTo(Duration.ofHours(1));
        assertThat(s.uploadMaxAge()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void everyKeyComesFromTheEnvironment() {
        GcSettings s = GcSettings.from(config(Map.of("BERTH_REGISTRY_GC_INTERVAL", "6h",
                "BERTH_REGISTRY_GC_DELETE_UNTAGGED", "true", "BERTH_REGISTRY_GC_GRACE_PERIOD", "30m",
                "BERTH_REGISTRY_GC_UPLOAD_MAX_AGE", "2d")));
        assertThat(s).isEqualTo(new GcSettings(Duration.ofHours(6), true, Duration.ofMinutes(30), Duration.ofDays(2)));
        assertThat(GcSettings.from(config(Map.of("BERTH_REGISTRY_GC_INTERVAL", "off"))).interval()).isNull();
    }

    @Test
    void nonsenseIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> GcSettings.from(config(Map.of("BERTH_REGISTRY_GC_INTERVAL", "hourly"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registry.gc.interval");
        assertThatThrownBy(() -> GcSettings.from(config(Map.of("BERTH_REGISTRY_GC_INTERVAL", "0s"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registry.gc.interval");
        assertThatThrownBy(() -> GcSettings.from(config(Map.of("BERTH_REGISTRY_GC_GRACE_PERIOD", "-1h"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registry.gc.grace-period");
        assertThatThrownBy(() -> GcSettings.from(config(Map.of("BERTH_REGISTRY_GC_UPLOAD_MAX_AGE", "0m"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registry.gc.upload-max-age");
    }
}
