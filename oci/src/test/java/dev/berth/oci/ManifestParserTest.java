package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestParserTest {

    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    private static byte[] json(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesAnImageManifestWithSubjectAndArtifactType() {
        Manifest m = ManifestParser.parse(json("{'schemaVersion':2,'mediaType':'" + MediaTypes.OCI_MANIFEST + "',"
                + "'artifactType':'application/x.sig','config':{'mediaType':'" + MediaTypes.OCI_EMPTY + "','digest':'"
                + D1 + "','size':2},'layers':[{'mediaType':'a/b','digest':'" + D2 + "','size':5}],"
                + "'subject':{'mediaType':'" + MediaTypes.OCI_MANIFEST + "','digest':'" + D2 + "','size':9},"
                + "'annotations':{'k':'v'}}"), null);
        assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(m.isIndex()).isFalse();
        assertThat(m.layers()).extracting(Descriptor::size).containsExactly(5L);
        assertThat(m.subject().digest().toString()).isEqualTo(D2);
        assertThat(m.effectiveArtifactType()).isEqualTo("application/x.sig");
        assertThat(m.annotations()).containsEntry("k", "v");
    }

    @Test
    void takesTheMediaTypeFromContentTypeOrShapeWhenTheBodyHasNone() {
        Manifest index = ManifestParser.parse(json("{'schemaVersion':2,'manifests':[{'mediaType':'"
                + MediaTypes.OCI_MANIFEST + "','digest':'" + D1 + "','size':3,"
                + "'platform':{'os':'linux','architecture':'arm64'}}]}"), null);
        assertThat(index.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(index.manifests().get(0).platform().architecture()).isEqualTo("arm64");
        Manifest image = ManifestParser.parse(json("{'schemaVersion':2,'config':{'mediaType':'x/y','digest':'"
                + D1 + "','size':1},'layers':[]}"), MediaTypes.OCI_MANIFEST + "; charset=utf-8");
        assertThat(image.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(image.effectiveArtifactType()).isEqualTo("x/y");
    }

    @Test
    void rejectsBrokenManifestsWithAReason() {
        assertThatThrownBy(() -> ManifestParser.parse(json("{'schemaVersion':2"), null))
                .isInstanceOf(InvalidManifestException.class).hasMessageContaining("JSON");
        assertThatThrownBy(() -> ManifestParser.parse(json("{'schemaVersion':1,'config':{}}"), null))
                .hasMessageContaining("schemaVersion");
        assertThatThrownBy(() -> ManifestParser.parse(json("{'schemaVersion':2,'mediaType':'"
                + MediaTypes.OCI_INDEX + "','manifests':[]}"), MediaTypes.OCI_MANIFEST))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> ManifestParser.parse(json("{'schemaVersion':2,'config':{'mediaType':'x/y',"
                + "'digest':'sha256:zz','size':1},'layers':[]}"), null)).hasMessageContaining("config.digest");
        assertThatThrownBy(() -> ManifestParser.parse(json("{'schemaVersion':2,'config':{'mediaType':'x/y',"
                + "'digest':'" + D1 + "','size':-1},'layers':[]}"), null)).hasMessageContaining("size");
        assertThatThrownBy(() -> ManifestParser.parse(json("{'schemaVersion':2,'schemaVersion':2,'config':{}}"), null))
                .hasMessageContaining("JSON");
    }
}
