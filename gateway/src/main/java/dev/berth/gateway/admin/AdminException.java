package dev.berth.gateway.admin;

/** A refused admin API request: status and code of the {@code {"error":…}} envelope. */
final class AdminException extends RuntimeException {

    private final int status;
    private final String code;

    AdminException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static AdminException invalid(String message) {
        return new AdminException(400, "invalid_input", message);
    }

    static AdminException notFound(String what, String name) {
        return new AdminException(404, what + "_not_found", "no " + what + " '" + name + "'");
    }

    static AdminException conflict(String code, String message) {
        return new AdminException(409, code, message);
    }

    static AdminException forbidden(String message) {
        return new AdminException(403, "forbidden", message);
    }
}
