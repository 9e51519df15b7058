package dev.berth.oci;

import java.io.IOException;

/**
 * Content that does not match the digest or size it was announced with: a blob whose bytes hash to
 * something else, or a layer whose uncompressed stream differs from the config's diff_id.
 */
public final class ContentMismatchException extends IOException {
    public ContentMismatchException(String message) {
        super(message);
    }
}
