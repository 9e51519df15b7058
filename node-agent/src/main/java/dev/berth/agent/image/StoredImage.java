package dev.berth.agent.image;

import java.time.Instant;
import java.util.List;

/**
 * An image in the local store.
 *
 * @param digest         what its reference resolved to: an index's digest for a multi-platform image,
 *                       else the manifest's; the key of the image in the store
 * @param manifestDigest the image manifest for this node's platform; names the unpacked rootfs, and is
 *                       what {@code PreparedBundle.imageDigest} and the in-use set carry
 * @param configDigest   the image configuration blob
 * @param references     the references pulled that point at it (may be empty once untagged)
 * @param layers         in order, bottom first
 * @param size           bytes of its blobs as pulled (compressed layers and config)
 * @param unpackedSize   bytes of the uncompressed layers
 * @param pulledAt       when it was last pulled
 */
public record StoredImage(String digest, String manifestDigest, String configDigest, List<String> references,
                          List<Layer> layers, long size, long unpackedSize, Instant pulledAt) {

    public StoredImage {
        references = List.copyOf(references);
        layers = List.copyOf(layers);
    }

    /** One layer: blob digest, media type, compressed size, and the uncompressed diff_id. */
    public record Layer(String digest, String mediaType, long size, String diffId) {
    }

    StoredImage withReferences(List<String> refs) {
        return new StoredImage(digest, manifestDigest, configDigest, refs, layers, size, unpackedSize, pulledAt);
    }
}
