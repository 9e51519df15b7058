package dev.berth.agent.image;

/**
 * A store operation that failed for a reason the caller can act on; nothing was changed.
 * Codes: {@code INVALID_REFERENCE}, {@code IMAGE_NOT_FOUND}, {@code IMAGE_IN_USE}, {@code PULL_FAILED}
 * (the registry refused or could not be reached), {@code INVALID_IMAGE} (manifest, config or platform),
 * {@code INVALID_LAYER} (hostile layer, diff_id or digest mismatch).
 */
public class ImageStoreException extends Exception {
    private final String code;

    public ImageStoreException(String code, String message) {
        super(message);
        this.code = code;
    }

    public ImageStoreException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
