package dev.berth.agent.bundle;

/** A container spec or image that cannot become a bundle; the message is shown to the API client. */
public class BundleException extends Exception {
    private final String code;

    /** @param code machine-readable reason, e.g. {@code IMAGE_NOT_FOUND}, {@code INVALID_USER}, {@code INVALID_LAYER} */
    public BundleException(String code, String message) {
        super(message);
        this.code = code;
    }

    public BundleException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
