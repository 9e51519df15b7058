package dev.berth.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.agent.rootfs.RootfsMode;
import dev.berth.kit.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageSettingsTest {

    @Test
    void defaultsSuitALaptop() {
        ImageSettings s = ImageSettings.from(Config.of(Map.of(), Map.of()));
        assertThat(s.stateDir()).isEqualTo(Path.of("data/agent"));
        assertThat(s.rootfs()).isEqualTo(RootfsMode.OVERLAY);
        assertThat(s.insecureRegistries()).isEmpty();
    }

    @Test
    void yamlAndEnvironmentSetEveryKey() {
        ImageSettings s = ImageSettings.from(Config.of(
                Map.of("agent", Map.of("state-dir", "/var/lib/berth", "insecure-registries", List.of("reg.lan:5000"),
                        "layer", Map.of("max-entries", 10))),
                Map.of("BERTH_AGENT_ROOTFS", "copy")));
        assertThat(s.stateDir()).isEqualTo(Path.of("/var/lib/berth"));
        assertThat(s.rootfs()).isEqualTo(RootfsMode.COPY);
        assertThat(s.insecureRegistries()).isEqualTo(Set.of("reg.lan:5000"));
        assertThat(s.layerLimits().maxEntries()).isEqualTo(10);
    }

    @Test
    void anUnknownRootfsModeIsRefused() {
        assertThatThrownBy(() -> ImageSettings.from(Config.of(Map.of(), Map.of("BERTH_AGENT_ROOTFS", "zfs"))))
                .hasMessageContaining("agent.rootfs");
    }
}
