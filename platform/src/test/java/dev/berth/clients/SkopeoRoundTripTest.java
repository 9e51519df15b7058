package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.berth.testing.HostCommand;
import dev.berth.testing.HostTools;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** skopeo pushes umoci-built images into the registry and copies them back out unchanged. */
@ExtendWith(RegistryUnderTest.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SkopeoRoundTripTest {

    @TempDir
    Path work;

    @Test
    void imageCopiedInAndOutKeepsItsDigestAndIsAValidLayout(RegistryAddress registry) {
        Skopeo skopeo = Skopeo.require(registry);
        Path validator = HostTools.require("oci-image-tool");
        OciLayout source = BusyboxImages.image(work.resolve("source"), "v1", "amd64");
        String reference = registry.reference("clients/skopeo-busybox:v1");

        skopeo.copy(Skopeo.oci(source.root(), "v1"), Skopeo.docker(reference), false);
        skopeo.copy(Skopeo.docker(reference), Skopeo.oci(work.resolve("copy"), "v1"), false);

        OciLayout copy = new OciLayout(work.resolve("copy"));
        String pushed = source.digest("v1");
        assertThat(skopeo.rawManifestDigest(reference)).as("digest of the manifest the registry serves").isEqualTo(pushed);
        assertThat(copy.digest("v1")).as("digest of the manifest copied back out").isEqualTo(pushed);
        JsonObject manifest = copy.blobJson(pushed);
        assertThat(copy.hasBlob(manifest.getJsonObject("config").getString("digest"))).isTrue();
        manifest.getJsonArray("layers").forEach(layer ->
                assertThat(copy.hasBlob(((JsonObject) layer).getString("digest"))).isTrue());
        HostCommand.Result validation = HostCommand.of(validator.toString(), "validate", "--type", "image",
                "--ref", "name=v1", copy.root().toString()).run();
        assertThat(validation.succeeded()).as(validation.describe()).isTrue();
    }

    @Test
    void twoPlatformIndexCopiedWithAllKeepsItsDigestAndBothChildren(RegistryAddress registry) {
        Skopeo skopeo = Skopeo.require(registry);
        BusyboxImages.TwoPlatformIndex built = BusyboxImages.twoPlatformIndex(work.resolve("source"), "multi");
        String reference = registry.reference("clients/skopeo-multi:multi");

        skopeo.copy(Skopeo.oci(work.resolve("source"), "multi"), Skopeo.docker(reference), true);
        skopeo.copy(Skopeo.docker(reference), Skopeo.oci(work.resolve("copy"), "multi"), true);

        OciLayout copy = new OciLayout(work.resolve("copy"));
        assertThat(skopeo.rawManifestDigest(reference)).as("digest of the index the registry serves")
                .isEqualTo(built.indexDigest());
        assertThat(copy.digest("multi")).as("digest of the index copied back out").isEqualTo(built.indexDigest());
        assertThat(copy.descriptor("multi").getString("mediaType")).isEqualTo(BusyboxImages.INDEX_MEDIA_TYPE);
        for (String child : new String[] {built.amd64Digest(), built.arm64Digest()}) {
            assertThat(copy.hasBlob(child)).as("child manifest %s copied back", child).isTrue();
            String config = copy.blobJson(child).getJsonObject("config").getString("digest");
            assertThat(copy.hasBlob(config)).as("config %s of child %s", config, child).isTrue();
        }
        assertThat(skopeo.rawManifestDigest(registry.reference("clients/skopeo-multi@" + built.arm64Digest())))
                .as("the arm64 child by digest").isEqualTo(built.arm64Digest());
        String arm64Config = copy.blobJson(built.arm64Digest()).getJsonObject("config").getString("digest");
        assertThat(copy.blobJson(arm64Config).getString("architecture")).isEqualTo("arm64");
    }
}
