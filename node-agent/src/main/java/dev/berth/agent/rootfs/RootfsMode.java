package dev.berth.agent.rootfs;

import java.util.Locale;

/** How a container gets its writable root: {@code agent.rootfs}. */
public enum RootfsMode {
    /** overlayfs over the image's base rootfs; falls back to {@link #COPY} when the mount fails. */
    OVERLAY,
    /** A full copy of the base rootfs (modes, ownership, links, xattrs preserved by {@code cp -a}). */
    COPY;

    public static RootfsMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("agent.rootfs must be overlay or copy, not " + text);
        }
    }
}
