package dev.berth.registry.api;

/** The distribution spec's error codes, each with the HTTP status the registry answers with. */
public enum ErrorCode {
    BLOB_UNKNOWN(404),
    BLOB_UPLOAD_INVALID(400),
    BLOB_UPLOAD_UNKNOWN(404),
    DIGEST_INVALID(400),
    MANIFEST_BLOB_UNKNOWN(400),
    MANIFEST_INVALID(400),
    MANIFEST_UNKNOWN(404),
    NAME_INVALID(400),
    NAME_UNKNOWN(404),
    SIZE_INVALID(400),
    UNAUTHORIZED(401),
    DENIED(403),
    UNSUPPORTED(415),
    TOOMANYREQUESTS(429),
    UNAVAILABLE(503),
    // Not in the OCI list; CNCF distribution answers bad pagination with it.
    PAGINATION_NUMBER_INVALID(400);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
