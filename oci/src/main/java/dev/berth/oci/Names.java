package dev.berth.oci;

import java.util.regex.Pattern;

/** The distribution spec's grammar for repository names and tags. */
public final class Names {

    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    /** Many clients cap host plus name at 255 characters; a registry should not accept more. */
    public static final int MAX_REPOSITORY_LENGTH = 255;

    private Names() {
    }

    /**
     * True when {@code name} follows {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*}.
     * Read by hand, in one pass: every request to the registry asks this, and the regex backtracks.
     */
    public static boolean isRepository(String name) {
        if (name == null || name.length() > MAX_REPOSITORY_LENGTH) {
            return false;
        }
        int n = name.length();
        int i = 0;
        while (true) {
            // a run of [a-z0-9]+, which every component starts and ends with
            int runStart = i;
            while (i < n && lowerAlphanumeric(name.charAt(i))) {
                i++;
            }
            if (i == runStart) {
                return false;
            }
            if (i == n) {
                return true;
            }
            // then a separator (".", "_", "__", "-+") or "/" before the next run
            char c = name.charAt(i++);
            if (c == '_') {
                if (i < n && name.charAt(i) == '_') {
                    i++;
                }
            } else if (c == '-') {
                while (i < n && name.charAt(i) == '-') {
                    i++;
                }
            } else if (c != '.' && c != '/') {
                return false;
            }
        }
    }

    private static boolean lowerAlphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    public static boolean isTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }

    /** The namespace a repository belongs to: its first path component. */
    public static String namespace(String repository) {
        int slash = repository.indexOf('/');
        return slash < 0 ? repository : repository.substring(0, slash);
    }
}
