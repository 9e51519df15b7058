package dev.berth.kit;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as config files and API bodies write them: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 3h}, {@code 3d}. */
public final class Durations {

    /** At most nine digits, so no value overflows. */
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses {@code text}.
     *
     * @param what names the value in the error, e.g. {@code config key 'registry.gc.interval'}
     * @throws IllegalArgumentException when {@code text} is not such a duration
     */
    public static Duration parse(String what, String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " must be a duration like 500ms, 5s, 2m, 3h, 3d; got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
