package dev.berth.oci.client;

import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;

/**
 * A manifest or index as pulled: its verified digest and exact bytes (kept, because the digest is over
 * them) and the parsed form.
 */
public record FetchedManifest(Digest digest, byte[] bytes, Manifest manifest) {

    public String mediaType() {
        return manifest.mediaType();
    }
}
