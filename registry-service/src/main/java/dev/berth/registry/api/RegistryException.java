package dev.berth.registry.api;

/** A request the registry refuses, answered with the spec's error envelope. */
public final class RegistryException extends RuntimeException {

    private final ErrorCode code;
    private final int status;
    private final Object detail;

    public RegistryException(ErrorCode code, String message) {
        this(code, code.status(), message, null);
    }

    public RegistryException(ErrorCode code, String message, Object detail) {
        this(code, code.status(), message, detail);
    }

    public RegistryException(ErrorCode code, int status, String message, Object detail) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    public Object detail() {
        return detail;
    }
}
