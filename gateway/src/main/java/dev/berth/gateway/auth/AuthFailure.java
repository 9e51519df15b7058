package dev.berth.gateway.auth;

import java.time.Duration;

/** Why a login or token was refused, with what the client is told. */
public final class AuthFailure extends RuntimeException {

    public enum Kind { UNAUTHORIZED, DENIED, LOCKED, BAD_REQUEST }

    private final Kind kind;
    private final Duration retryAfter;

    public AuthFailure(Kind kind, String message) {
        this(kind, message, null);
    }

    public AuthFailure(Kind kind, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** Seconds to send in {@code Retry-After} for a lock; at least 1. */
    public long retryAfterSeconds() {
        return retryAfter == null ? 1 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    public int status() {
        return switch (kind) {
            case UNAUTHORIZED -> 401;
            case DENIED -> 403;
            case LOCKED -> 429;
            case BAD_REQUEST -> 400;
        };
    }

    /** The distribution-spec error code for this failure. */
    public String code() {
        return switch (kind) {
            case UNAUTHORIZED -> "UNAUTHORIZED";
            case DENIED -> "DENIED";
            case LOCKED -> "TOOMANYREQUESTS";
            case BAD_REQUEST -> "UNSUPPORTED";
        };
    }
}
