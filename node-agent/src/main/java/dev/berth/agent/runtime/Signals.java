package dev.berth.agent.runtime;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Linux signal names and numbers (x86-64 and arm64 agree on these). */
public final class Signals {

    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private static final Map<String, Integer> ALIASES = Map.of("SIGIOT", 6, "SIGPOLL", 29, "SIGCLD", 17);

    private Signals() {
    }

    /**
     * The canonical name ({@code SIGTERM}) of {@code text}: a name with or without {@code SIG}, any case,
     * or a number 1..64 (real-time signals become {@code SIGRTMIN+n}); empty when it is none of these.
     */
    public static Optional<String> canonical(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.chars().allMatch(Character::isDigit) && t.length() <= 2) {
            return nameOf(Integer.parseInt(t));
        }
        String name = t.startsWith("SIG") ? t : "SIG" + t;
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return Optional.of(name);
            }
        }
        if (ALIASES.containsKey(name)) {
            return nameOf(ALIASES.get(name));
        }
        return Optional.empty();
    }

    /** The number of a canonical name. */
    public static int number(String canonicalName) {
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(canonicalName)) {
                return i;
            }
        }
        if (canonicalName.startsWith("SIGRTMIN+")) {
            return 34 + Integer.parseInt(canonicalName.substring("SIGRTMIN+".length()));
        }
        throw new IllegalArgumentException("not a canonical signal name: " + canonicalName);
    }

    private static Optional<String> nameOf(int number) {
        if (number >= 1 && number < NAMES.length) {
            return Optional.of(NAMES[number]);
        }
        if (number >= 34 && number <= 64) {
            return Optional.of("SIGRTMIN+" + (number - 34));
        }
        return Optional.empty();
    }
}
