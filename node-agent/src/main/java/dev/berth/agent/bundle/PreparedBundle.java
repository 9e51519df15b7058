package dev.berth.agent.bundle;

import java.nio.file.Path;

/**
 * A bundle ready for {@code runc create}.
 *
 * @param dir         the bundle directory (holds config.json and rootfs)
 * @param imageDigest manifest digest of the image it was made from, {@code sha256:...}
 * @param stopSignal  the image's StopSignal as a signal name ({@code SIGTERM} when the image sets none)
 */
public record PreparedBundle(Path dir, String imageDigest, String stopSignal) {
}
