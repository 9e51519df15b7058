package dev.berth.oci.layer;

import java.io.IOException;

/**
 * A layer entry the unpacker refuses: it would reach outside the rootfs, replace the root, create
 * something the process may not create, or push the layer past its limits. Nothing outside the
 * rootfs has been touched when this is thrown; the rootfs itself is half-applied and must be discarded.
 */
public final class UnsafeLayerException extends IOException {

    private final String entryName;

    public UnsafeLayerException(String entryName, String reason) {
        super("layer entry \"" + entryName + "\": " + reason);
        this.entryName = entryName;
    }

    /** The tar entry's name as it appears in the layer. */
    public String entryName() {
        return entryName;
    }
}
