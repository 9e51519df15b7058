package dev.berth.oci;

import java.util.regex.Pattern;

/** The distribution spec's grammar for repository names and tags. */
public final class Names {

    private static final Pattern REPOSITORY = Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    /** Many clients cap host plus name at 255 characters; a registry should not accept more. */
    public static final int MAX_REPOSITORY_LENGTH = 255;

    private Names() {
    }

    public static boolean isRepository(String name) {
        return name != null && name.length() <= MAX_REPOSITORY_LENGTH && REPOSITORY.matcher(name).matches();
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
