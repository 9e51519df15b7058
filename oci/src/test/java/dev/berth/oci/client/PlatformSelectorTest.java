package dev.berth.oci.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Descriptor.Platform;
import dev.berth.oci.Digest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformSelectorTest {

    @Test
    void mapsJavaNamesToOciNames() {
        assertThat(PlatformSelector.fromJava("Linux", "amd64")).isEqualTo(new Platform("linux", "amd64", null));
        assertThat(PlatformSelector.fromJava("Linux", "x86_64")).isEqualTo(new Platform("linux", "amd64", null));
        assertThat(PlatformSelector.fromJava("Linux", "aarch64")).isEqualTo(new Platform("linux", "arm64", null));
        assertThat(PlatformSelector.fromJava("Linux", "arm")).isEqualTo(new Platform("linux", "arm", "v7"));
        assertThat(PlatformSelector.fromJava("Linux", "i386")).isEqualTo(new Platform("linux", "386", null));
        assertThat(PlatformSelector.fromJava("Mac OS X", "aarch64")).isEqualTo(new Platform("darwin", "arm64", null));
        assertThat(PlatformSelector.fromJava("Windows 11", "amd64")).isEqualTo(new Platform("windows", "amd64", null));
        assertThat(PlatformSelector.fromJava("Linux", "ppc64le")).isEqualTo(new Platform("linux", "ppc64le", null));
    }

    @Test
    void picksExactVariantThenBaselineThenOlderArm() {
        Descriptor v6 = entry("linux", "arm", "v6");
        Descriptor v7 = entry("linux", "arm", "v7");
        Descriptor arm64v8 = entry("linux", "arm64", "v8");
        Descriptor amd64 = entry("linux", "amd64", null);
        List<Descriptor> index = List.of(entry("windows", "amd64", null), v6, v7, arm64v8, amd64);

        assertThat(PlatformSelector.select(index, new Platform("linux", "arm", "v7"))).contains(v7);
        assertThat(PlatformSelector.select(index, new Platform("linux", "arm", "v8"))).contains(v7);
        assertThat(PlatformSelector.select(List.of(v6, v7), new Platform("linux", "arm", "v6"))).contains(v6);
        assertThat(PlatformSelector.select(List.of(v7), new Platform("linux", "arm", "v6"))).isEmpty();
        assertThat(PlatformSelector.select(index, new Platform("linux", "arm64", null))).contains(arm64v8);
        assertThat(PlatformSelector.select(index, new Platform("linux", "amd64", null))).contains(amd64);
        assertThat(PlatformSelector.select(index, new Platform("linux", "s390x", null))).isEmpty();
    }

    private static Descriptor entry(String os, String arch, String variant) {
        Digest digest = Digest.sha256((os + arch + variant).getBytes());
        return new Descriptor("application/vnd.oci.image.manifest.v1+json", digest, 1, null, Map.of(),
                new Platform(os, arch, variant), false);
    }
}
