package dev.berth.registry.policy;

import java.util.regex.Pattern;

/**
 * A glob on tag names: {@code *} matches any run of characters, {@code ?} exactly one; every other
 * character stands for itself. Tags are {@code [A-Za-z0-9_][A-Za-z0-9._-]*}, so a pattern may use
 * only those characters and the two wildcards.
 */
public record TagPattern(String glob, Pattern regex) {

    static final int MAX_LENGTH = 128;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._*?-]+");

    /** Parses {@code glob}; IllegalArgumentException with a message fit for the client. */
    public static TagPattern parse(String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new IllegalArgumentException("a tag pattern must not be empty");
        }
        if (glob.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("tag pattern '" + glob + "' is longer than " + MAX_LENGTH + " characters");
        }
        if (!ALLOWED.matcher(glob).matches()) {
            throw new IllegalArgumentException("tag pattern '" + glob
                    + "' may contain only letters, digits, '.', '_', '-' and the wildcards '*' and '?'");
        }
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '.', '-' -> regex.append('\\').append(c);
                default -> regex.append(c);
            }
        }
        return new TagPattern(glob, Pattern.compile(regex.toString()));
    }

    public boolean matches(String tag) {
        return regex.matcher(tag).matches();
    }

    @Override
    public String toString() {
        return glob;
    }
}
