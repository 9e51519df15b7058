package dev.berth.conformance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Random blobs and small valid manifests, built in the test so nothing depends on the code under test.
 * Manifests are pretty-printed with a trailing newline: a registry that re-serialises instead of storing
 * the pushed bytes changes their digest, and the byte-exact checks catch it.
 */
final class TestContent {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    record Blob(byte[] bytes, String digest, String mediaType) {
        int size() {
            return bytes.length;
        }

        JsonObject descriptor() {
            return TestContent.descriptor(mediaType, digest, bytes.length);
        }
    }

    record Manifest(byte[] bytes, String digest, String mediaType) {
        int size() {
            return bytes.length;
        }

        JsonObject descriptor() {
            return TestContent.descriptor(mediaType, digest, bytes.length);
        }
    }

    /** A manifest and the blobs it references, which must be pushed first. */
    record Image(Manifest manifest, List<Blob> blobs) {
    }

    private TestContent() {
    }

    /** A fresh repository per test keeps tests independent of each other and of earlier runs. */
    static String uniqueRepository(String category) {
        return "conformance/" + category + "-" + randomHex(6);
    }

    static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A digest nobody pushed. */
    static String unknownDigest() {
        return sha256(("never pushed " + randomHex(16)).getBytes(StandardCharsets.UTF_8));
    }

    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    static Blob layer(int size) {
        byte[] bytes = randomBytes(size);
        return new Blob(bytes, sha256(bytes), OCI_LAYER);
    }

    static Blob config(String mediaType) {
        JsonObject config = new JsonObject()
                .put("architecture", "amd64")
                .put("os", "linux")
                .put("config", new JsonObject().put("Labels", new JsonObject().put("nonce", randomHex(8))))
                .put("rootfs", new JsonObject().put("type", "layers").put("diff_ids", new JsonArray()));
        byte[] bytes = config.encode().getBytes(StandardCharsets.UTF_8);
        return new Blob(bytes, sha256(bytes), mediaType);
    }

    /** The OCI empty descriptor's content, used as the config of artifacts. */
    static Blob emptyConfig() {
        byte[] bytes = "{}".getBytes(StandardCharsets.UTF_8);
        return new Blob(bytes, sha256(bytes), OCI_EMPTY);
    }

    static JsonObject descriptor(String mediaType, String digest, long size) {
        return new JsonObject().put("mediaType", mediaType).put("digest", digest).put("size", size);
    }

    static Manifest manifest(JsonObject json, String mediaType) {
        return manifest(json.encodePrettily() + "\n", mediaType);
    }

    static Manifest manifest(String text, String mediaType) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new Manifest(bytes, sha256(bytes), mediaType);
    }

    /** An OCI image manifest (without the blobs pushed) for the given config and layers. */
    static JsonObject ociManifestJson(Blob config, List<Blob> layers) {
        JsonArray layerDescriptors = new JsonArray();
        layers.forEach(layer -> layerDescriptors.add(layer.descriptor()));
        return new JsonObject()
                .put("schemaVersion", 2)
                .put("mediaType", OCI_MANIFEST)
                .put("config", config.descriptor())
                .put("layers", layerDescriptors);
    }

    /** A small OCI image: a config and two random layers. */
    static Image ociImage() {
        Blob config = config(OCI_CONFIG);
        List<Blob> layers = List.of(layer(1024), layer(3000));
        return new Image(manifest(ociManifestJson(config, layers), OCI_MANIFEST), blobsOf(config, layers));
    }

    /** A small Docker schema 2 image. */
    static Image dockerImage() {
        Blob config = config(DOCKER_CONFIG);
        Blob layerBytes = layer(2048);
        Blob layer = new Blob(layerBytes.bytes(), layerBytes.digest(), DOCKER_LAYER);
        JsonObject json = new JsonObject()
                .put("schemaVersion", 2)
                .put("mediaType", DOCKER_MANIFEST)
                .put("config", config.descriptor())
                .put("layers", new JsonArray().add(layer.descriptor()));
        return new Image(manifest(json, DOCKER_MANIFEST), List.of(config, layer));
    }

    /** An OCI index over the given children, each given a platform. */
    static Manifest ociIndex(List<Manifest> children) {
        return manifest(indexJson(OCI_INDEX, children), OCI_INDEX);
    }

    static Manifest dockerManifestList(List<Manifest> children) {
        return manifest(indexJson(DOCKER_MANIFEST_LIST, children), DOCKER_MANIFEST_LIST);
    }

    static JsonObject indexJson(String mediaType, List<Manifest> children) {
        JsonArray manifests = new JsonArray();
        String[] architectures = {"amd64", "arm64", "s390x", "ppc64le"};
        for (int i = 0; i < children.size(); i++) {
            manifests.add(children.get(i).descriptor().put("platform", new JsonObject()
                    .put("architecture", architectures[i % architectures.length]).put("os", "linux")));
        }
        return new JsonObject().put("schemaVersion", 2).put("mediaType", mediaType).put("manifests", manifests);
    }

    /**
     * An artifact manifest that refers to {@code subject}: a config of the given media type holding
     * {@code {}}, one small layer, the artifactType (none when null) and the annotations (none when empty).
     */
    static Image artifact(String artifactType, String configMediaType, Manifest subject,
                          Map<String, String> annotations) {
        Blob empty = emptyConfig();
        Blob config = new Blob(empty.bytes(), empty.digest(), configMediaType);
        Blob payload = layer(64);
        JsonObject json = ociManifestJson(config, List.of(payload));
        if (artifactType != null) {
            json.put("artifactType", artifactType);
        }
        json.put("subject", subject.descriptor());
        if (!annotations.isEmpty()) {
            JsonObject annotationsJson = new JsonObject();
            annotations.forEach(annotationsJson::put);
            json.put("annotations", annotationsJson);
        }
        return new Image(manifest(json, OCI_MANIFEST), List.of(config, payload));
    }

    private static List<Blob> blobsOf(Blob config, List<Blob> layers) {
        List<Blob> blobs = new ArrayList<>();
        blobs.add(config);
        blobs.addAll(layers);
        return blobs;
    }
}
