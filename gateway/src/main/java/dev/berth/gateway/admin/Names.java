package dev.berth.gateway.admin;

import dev.berth.gateway.auth.Passwords;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The rules for names and passwords the admin API accepts. */
final class Names {

    /** A repository path component (distribution spec), so a namespace is always a valid one. */
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    static final int MAX_LENGTH = 64;

    private Names() {
    }

    static String name(String kind, String value) {
        if (value == null || value.isEmpty()) {
            throw AdminException.invalid(kind + " name is required");
        }
        if (value.length() > MAX_LENGTH || !COMPONENT.matcher(value).matches()) {
            throw AdminException.invalid(kind + " name '" + value + "' must be 1-" + MAX_LENGTH
                    + " lowercase letters and digits, separated by single '.', '_' or '-'");
        }
        return value;
    }

    static String password(String value) {
        if (value == null || value.length() < Passwords.MIN_LENGTH) {
            throw AdminException.invalid("password must have at least " + Passwords.MIN_LENGTH + " characters");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > Passwords.MAX_BYTES) {
            throw AdminException.invalid("password must be at most " + Passwords.MAX_BYTES + " bytes");
        }
        return value;
    }
}
