package dev.berth.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** A user name and password, as HTTP Basic or an OAuth2 password grant carry them. */
public record Credentials(String username, String password) {

    /** Reads {@code Authorization: Basic ...}; empty when absent or not Basic. */
    public static Optional<Credentials> basic(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.of(new Credentials("", ""));
        }
        int colon = decoded.indexOf(':');
        return Optional.of(colon < 0 ? new Credentials(decoded, "")
                : new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }

    /** The token of {@code Authorization: Bearer ...}; empty when absent or not Bearer. */
    public static Optional<String> bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    @Override
    public String toString() {
        return "Credentials[" + username + "]";
    }
}
