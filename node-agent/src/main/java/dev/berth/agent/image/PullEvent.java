package dev.berth.agent.image;

/**
 * Progress of a pull, per layer. Listeners are called on the pulling thread and must not block.
 *
 * @param kind       what happened
 * @param layer      the layer's digest ({@code sha256:...}); for {@link Kind#RESOLVED} the image's digest
 * @param bytesDone  bytes received (downloading), else the layer size
 * @param bytesTotal the layer's size from the manifest
 */
public record PullEvent(Kind kind, String layer, long bytesDone, long bytesTotal) {

    public enum Kind {
        /** The reference resolved to a manifest; {@code layer} holds the image digest, sizes the total of all layers. */
        RESOLVED,
        /** Bytes of a layer arrived. */
        DOWNLOADING,
        /** The layer was downloaded completely and its digest and size checked. */
        VERIFIED,
        /** The layer was already in the store (another image shares it); nothing downloaded. */
        ALREADY_PRESENT,
        /** The layer was applied to the image's rootfs and its diff_id checked. */
        UNPACKED
    }
}
