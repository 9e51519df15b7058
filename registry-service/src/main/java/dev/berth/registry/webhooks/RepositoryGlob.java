package dev.berth.registry.webhooks;

import java.util.regex.Pattern;

/**
 * Which repositories a subscription covers: {@code *} matches within one path segment,
 * {@code **} (a whole segment) matches any number of segments. {@code team/*} covers
 * {@code team/app} but not {@code team/app/db}; {@code team/**} covers both; {@code **} covers all.
 */
record RepositoryGlob(String text, Pattern pattern) {

    private static final Pattern SEGMENT = Pattern.compile("\\*\\*|[a-z0-9._*-]+");

    /** Parses {@code text}, or throws IllegalArgumentException saying what is wrong. */
    static RepositoryGlob parse(String text) {
        if (text.isEmpty() || text.length() > 255) {
            throw new IllegalArgumentException("repositoryGlob must be 1 to 255 characters");
        }
        StringBuilder regex = new StringBuilder();
        String[] segments = text.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("repositoryGlob '" + text + "' has an empty path segment");
            }
            if (!SEGMENT.matcher(segment).matches() || (segment.contains("**") && !segment.equals("**"))) {
                throw new IllegalArgumentException("repositoryGlob '" + text + "': segment '" + segment
                        + "' may hold only a-z, 0-9, '.', '_', '-' and '*', or be exactly '**'");
            }
            if (i > 0) {
                regex.append('/');
            }
            if (segment.equals("**")) {
                regex.append(".+");
                continue;
            }
            for (String literal : segment.split("\\*", -1)) {
                regex.append(Pattern.quote(literal)).append("[^/]*");
            }
            regex.setLength(regex.length() - "[^/]*".length());
        }
        return new RepositoryGlob(text, Pattern.compile(regex.toString()));
    }

    boolean matches(String repository) {
        return repository != null && pattern.matcher(repository).matches();
    }
}
