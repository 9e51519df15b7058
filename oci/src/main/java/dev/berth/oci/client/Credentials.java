package dev.berth.oci.client;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A user name and password (or token) for a registry or its token service. */
public record Credentials(String username, String password) {

    public Credentials {
        if (username == null || username.isEmpty() || username.contains(":") || password == null) {
            throw new IllegalArgumentException("credentials need a user name without ':' and a password");
        }
    }

    String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", ****]";
    }
}
