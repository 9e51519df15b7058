package dev.berth.gateway.audit;

import dev.berth.gateway.Caller;
import java.time.Instant;
import java.util.Objects;

/**
 * One audited event: who ({@code actor}, {@code actorKind}), what ({@code action} on
 * {@code target}, in {@code repository} at {@code reference} / {@code digest}), when, from where
 * ({@code clientIp}) and with what result ({@code status}, the HTTP status answered).
 */
public record AuditEntry(Instant at, String actor, String actorKind, String action, String target,
                         String repository, String reference, String digest, String clientIp, int status,
                         String detail, String requestId) {

    /** Actions; {@code action} query filters take these. */
    public static final String PUSH = "push";
    public static final String PULL = "pull";
    public static final String DELETE = "delete";
    public static final String LOGIN = "login";
    public static final String LOGIN_FAILED = "login_failed";
    public static final String ADMIN = "admin";

    public AuditEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actorKind, "actorKind");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(clientIp, "clientIp");
    }

    /**
     * A token request, for the authentication code to {@link AuditLog#record}: {@code issued} true
     * for a token handed out, false for refused credentials ({@code subject} as claimed, may be null).
     */
    public static AuditEntry login(Caller caller, String clientIp, boolean issued, int status, String detail) {
        return new AuditEntry(Instant.now(), caller.subject(), caller.kind(), issued ? LOGIN : LOGIN_FAILED,
                "token", null, null, null, clientIp, status, detail, null);
    }
}
