package dev.berth.oci.layer;

import dev.berth.oci.Digest;
import java.util.List;

/**
 * What applying one layer did.
 *
 * @param diffId            digest of the uncompressed tar stream (verified when an expected one was given)
 * @param entries           tar entries read, whiteouts included
 * @param uncompressedBytes length of the uncompressed tar stream
 * @param skipped           what could not be applied and was left out on purpose, e.g. an xattr the
 *                          filesystem does not support; each line names the entry
 */
public record UnpackResult(Digest diffId, long entries, long uncompressedBytes, List<String> skipped) {
    public UnpackResult {
        skipped = List.copyOf(skipped);
    }
}
