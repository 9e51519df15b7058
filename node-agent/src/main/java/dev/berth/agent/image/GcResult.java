package dev.berth.agent.image;

import java.util.List;

/**
 * What {@link ImageStore#gc()} freed.
 *
 * @param blobs      digests of the blobs deleted
 * @param rootfs     manifest digests whose unpacked trees were deleted
 * @param bytesFreed bytes of the deleted files
 */
public record GcResult(List<String> blobs, List<String> rootfs, long bytesFreed) {
    public GcResult {
        blobs = List.copyOf(blobs);
        rootfs = List.copyOf(rootfs);
    }
}
