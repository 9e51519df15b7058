package dev.berth.oci.client;

import java.io.IOException;

/**
 * A registry said no: an HTTP status other than the expected one, with the distribution-spec error
 * code when the body carried one ({@code MANIFEST_UNKNOWN}, {@code UNAUTHORIZED}, ...).
 */
public final class RegistryException extends IOException {

    private final int status;
    private final String code;

    public RegistryException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    /** The HTTP status, or 0 when the failure was not an HTTP answer. */
    public int status() {
        return status;
    }

    /** The first error code of the distribution-spec error envelope, or null. */
    public String code() {
        return code;
    }
}
