package dev.berth.kit.auth;

import java.time.Instant;
import java.util.List;

/**
 * A bearer token whose signature, issuer, audience and validity window checked out.
 *
 * @param subject user or robot name; empty for an anonymous token
 * @param access  what the token grants
 */
public record VerifiedToken(String subject, List<Access> access, Instant expiresAt) {

    public VerifiedToken {
        subject = subject == null ? "" : subject;
        access = List.copyOf(access);
    }

    public boolean anonymous() {
        return subject.isEmpty();
    }

    public boolean covers(List<Access> required) {
        return required.stream().allMatch(r -> Access.covers(access, r));
    }
}
