package dev.berth.oci;

import java.util.List;
import java.util.Map;

/**
 * A parsed image manifest or index. {@code mediaType} is the effective media type: the body's
 * {@code mediaType} field, else the Content-Type it was pushed with.
 */
public record Manifest(String mediaType, Descriptor config, List<Descriptor> layers,
                       List<Descriptor> manifests, Descriptor subject, String artifactType,
                       Map<String, String> annotations) {

    public boolean isIndex() {
        return MediaTypes.INDEXES.contains(mediaType);
    }

    /** The artifact type the referrers API reports: artifactType, else the config's media type. */
    public String effectiveArtifactType() {
        if (artifactType != null) {
            return artifactType;
        }
        return config == null ? null : config.mediaType();
    }
}
