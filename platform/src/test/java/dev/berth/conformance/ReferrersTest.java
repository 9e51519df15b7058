package dev.berth.conformance;

import static dev.berth.conformance.RegistryHttp.header;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.berth.conformance.TestContent.Image;
import dev.berth.conformance.TestContent.Manifest;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Content discovery, referrers (end-12a, end-12b), and the OCI-Subject answer to a push with a subject. */
@ExtendWith(RegistryUnderTest.class)
class ReferrersTest {

    private static final String SBOM = "application/vnd.example.sbom.v1";
    private static final String SIGNATURE = "application/vnd.example.signature.v1";
    private static final String CUSTOM_CONFIG = "application/vnd.example.config.v1+json";

    private final RegistryHttp http;

    ReferrersTest(RegistryAddress registry) {
        this.http = new RegistryHttp(registry);
    }

    private Manifest pushSubject(String repository) {
        Image subject = TestContent.ociImage();
        http.pushImage(repository, "v1", subject);
        return subject.manifest();
    }

    private HttpResponse<byte[]> pushArtifact(String repository, Image artifact) {
        artifact.blobs().forEach(blob -> http.pushBlob(repository, blob));
        return http.pushManifest(repository, artifact.manifest().digest(), artifact.manifest());
    }

    private HttpResponse<byte[]> referrers(String repository, String digest, String query) {
        return http.get("/v2/" + repository + "/referrers/" + digest + query);
    }

    /** Checks the response is an OCI index and returns its descriptors. */
    private static JsonArray descriptors(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as("referrers status (body: %s)", RegistryHttp.bodyText(response))
                .isEqualTo(200);
        assertThat(header(response, "Content-Type")).isEqualTo(TestContent.OCI_INDEX);
        JsonObject index = new JsonObject(RegistryHttp.bodyText(response));
        assertThat(index.getInteger("schemaVersion")).isEqualTo(2);
        assertThat(index.getString("mediaType")).isEqualTo(TestContent.OCI_INDEX);
        assertThat(index.getJsonArray("manifests")).as("manifests of %s", index).isNotNull();
        return index.getJsonArray("manifests");
    }

    private static JsonObject expectedDescriptor(Manifest manifest, String artifactType,
                                                 Map<String, String> annotations) {
        JsonObject descriptor = manifest.descriptor();
        if (artifactType != null) {
            descriptor.put("artifactType", artifactType);
        }
        JsonObject json = new JsonObject();
        annotations.forEach(json::put);
        return descriptor.put("annotations", json);
    }

    /**
     * Asserts the listed descriptors are exactly the expected ones, field by field; an absent annotations
     * map counts as an empty one, and fields the spec does not name are ignored.
     */
    private static void assertDescriptors(JsonArray listed, JsonObject... expected) {
        assertThat(listed.stream().map(entry -> ((JsonObject) entry).getString("digest")).toList())
                .as("digests listed in %s", listed)
                .containsExactlyInAnyOrder(Arrays.stream(expected)
                        .map(descriptor -> descriptor.getString("digest")).toArray(String[]::new));
        for (JsonObject want : expected) {
            JsonObject got = listed.stream().map(JsonObject.class::cast)
                    .filter(entry -> want.getString("digest").equals(entry.getString("digest")))
                    .findFirst().orElseThrow();
            assertThat(got.getString("mediaType")).as("mediaType of %s", got).isEqualTo(want.getString("mediaType"));
            assertThat(got.getLong("size")).as("size of %s", got).isEqualTo(want.getLong("size"));
            assertThat(got.getString("artifactType")).as("artifactType of %s", got)
                    .isEqualTo(want.getString("artifactType"));
            JsonObject annotations = got.getJsonObject("annotations", new JsonObject());
            assertThat(annotations.getMap()).as("annotations of %s", got)
                    .isEqualTo(want.getJsonObject("annotations").getMap());
        }
    }

    @Test
    void pushWithASubjectAnswersOciSubject() {
        String repository = TestContent.uniqueRepository("referrers");
        Manifest subject = pushSubject(repository);

        HttpResponse<byte[]> put = pushArtifact(repository,
                TestContent.artifact(SBOM, TestContent.OCI_EMPTY, subject, Map.of()));

        assertThat(header(put, "OCI-Subject")).isEqualTo(subject.digest());
    }

    @Test
    void referrersListDescribesEveryManifestWhoseSubjectIsTheDigest() {
        String repository = TestContent.uniqueRepository("referrers");
        Manifest subject = pushSubject(repository);
        Map<String, String> sbomAnnotations = Map.of("org.example.sbom.format", "json",
                "org.opencontainers.image.created", "2026-01-01T00:00:00Z");
        Image sbom = TestContent.artifact(SBOM, TestContent.OCI_EMPTY, subject, sbomAnnotations);
        // Without artifactType the descriptor carries the config's media type instead.
        Image untyped = TestContent.artifact(null, CUSTOM_CONFIG, subject, Map.of());
        pushArtifact(repository, sbom);
        pushArtifact(repository, untyped);
        JsonObject indexJson = TestContent.indexJson(TestContent.OCI_INDEX, List.of(sbom.manifest()))
                .put("artifactType", SIGNATURE).put("subject", subject.descriptor());
        Manifest referringIndex = TestContent.manifest(indexJson, TestContent.OCI_INDEX);
        http.pushManifest(repository, referringIndex.digest(), referringIndex);
        pushArtifact(repository, TestContent.artifact(SBOM, TestContent.OCI_EMPTY, sbom.manifest(), Map.of()));

        JsonArray listed = descriptors(referrers(repository, subject.digest(), ""));

        assertDescriptors(listed,
                expectedDescriptor(sbom.manifest(), SBOM, sbomAnnotations),
                expectedDescriptor(untyped.manifest(), CUSTOM_CONFIG, Map.of()),
                expectedDescriptor(referringIndex, SIGNATURE, Map.of()));
    }

    @Test
    void artifactTypeFilterKeepsOnlyMatchingReferrersAndSaysSo() {
        String repository = TestContent.uniqueRepository("referrers");
        Manifest subject = pushSubject(repository);
        Image sbom = TestContent.artifact(SBOM, TestContent.OCI_EMPTY, subject, Map.of());
        pushArtifact(repository, sbom);
        pushArtifact(repository, TestContent.artifact(SIGNATURE, TestContent.OCI_EMPTY, subject, Map.of()));

        HttpResponse<byte[]> filtered = referrers(repository, subject.digest(), "?artifactType=" + SBOM);

        assertDescriptors(descriptors(filtered), expectedDescriptor(sbom.manifest(), SBOM, Map.of()));
        assertThat(RegistryHttp.headerValues(filtered, "OCI-Filters-Applied")).containsExactly("artifactType");
    }

    @Test
    void referrerMayBePushedBeforeItsSubject() {
        String repository = TestContent.uniqueRepository("referrers");
        Image subject = TestContent.ociImage();
        Image sbom = TestContent.artifact(SBOM, TestContent.OCI_EMPTY, subject.manifest(), Map.of());

        HttpResponse<byte[]> put = pushArtifact(repository, sbom);

        assertThat(header(put, "OCI-Subject")).isEqualTo(subject.manifest().digest());
        assertDescriptors(descriptors(referrers(repository, subject.manifest().digest(), "")),
                expectedDescriptor(sbom.manifest(), SBOM, Map.of()));
        http.pushImage(repository, "late", subject);
        assertDescriptors(descriptors(referrers(repository, subject.manifest().digest(), "")),
                expectedDescriptor(sbom.manifest(), SBOM, Map.of()));
    }

    @Test
    void digestWithoutReferrersGivesAnEmptyList() {
        String repository = TestContent.uniqueRepository("referrers");
        Manifest subject = pushSubject(repository);

        assertThat(descriptors(referrers(repository, subject.digest(), ""))).isEmpty();
        assertThat(descriptors(referrers(repository, TestContent.unknownDigest(), ""))).isEmpty();
    }

    @Test
    void referrersAreScopedToTheRepository() {
        String repository = TestContent.uniqueRepository("referrers");
        String other = TestContent.uniqueRepository("referrers");
        Image subject = TestContent.ociImage();
        http.pushImage(repository, "v1", subject);
        http.pushImage(other, "v1", subject);
        pushArtifact(repository, TestContent.artifact(SBOM, TestContent.OCI_EMPTY, subject.manifest(), Map.of()));

        assertThat(descriptors(referrers(other, subject.manifest().digest(), ""))).isEmpty();
    }

    @Test
    void deletedReferrerLeavesTheList() {
        String repository = TestContent.uniqueRepository("referrers");
        Manifest subject = pushSubject(repository);
        Image kept = TestContent.artifact(SBOM, TestContent.OCI_EMPTY, subject, Map.of());
        Image removed = TestContent.artifact(SIGNATURE, TestContent.OCI_EMPTY, subject, Map.of());
        pushArtifact(repository, kept);
        pushArtifact(repository, removed);

        HttpResponse<byte[]> deleted = http.delete("/v2/" + repository + "/manifests/" + removed.manifest().digest());

        assertThat(deleted.statusCode()).isEqualTo(202);
        assertDescriptors(descriptors(referrers(repository, subject.digest(), "")),
                expectedDescriptor(kept.manifest(), SBOM, Map.of()));
    }

    @Test
    void malformedDigestIs400() {
        String repository = TestContent.uniqueRepository("referrers");
        pushSubject(repository);

        HttpResponse<byte[]> response = referrers(repository, "sha256:not-a-digest", "");

        assertThat(response.statusCode()).isEqualTo(400);
    }
}
