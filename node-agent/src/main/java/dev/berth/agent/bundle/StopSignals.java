package dev.berth.agent.bundle;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Normalises an image's StopSignal ({@code SIGTERM}, {@code term}, {@code 15}, {@code SIGRTMIN+3}) to a {@code SIGxxx} name. */
public final class StopSignals {

    public static final String DEFAULT = "SIGTERM";

    /** Linux signal numbers 1..31 (x86, arm, most others; not mips, alpha or sparc). */
    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");
    private static final int RTMIN = 34;
    private static final int RTMAX = 64;
    private static final Pattern REALTIME = Pattern.compile("RTMIN(?:\\+([0-9]{1,2}))?|RTMAX(?:-([0-9]{1,2}))?");

    private StopSignals() {
    }

    /** @param signal null or empty for the default, {@code SIGTERM} */
    public static String normalise(String signal) throws BundleException {
        if (signal == null || signal.isEmpty()) {
            return DEFAULT;
        }
        if (signal.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int number = signal.length() > 2 ? -1 : Integer.parseInt(signal);
            if (number >= 1 && number < NAMES.size()) {
                return "SIG" + NAMES.get(number);
            }
            if (number >= RTMIN && number <= RTMAX) {
                return number == RTMIN ? "SIGRTMIN" : "SIGRTMIN+" + (number - RTMIN);
            }
            throw invalid(signal);
        }
        String name = signal.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (name.equals("IOT")) {
            name = "ABRT";
        } else if (name.equals("POLL")) {
            name = "IO";
        } else if (name.equals("CLD")) {
            name = "CHLD";
        }
        if (!name.isEmpty() && NAMES.contains(name)) {
            return "SIG" + name;
        }
        Matcher rt = REALTIME.matcher(name);
        if (rt.matches()) {
            String offset = rt.group(1) != null ? rt.group(1) : rt.group(2);
            if (offset == null || Integer.parseInt(offset) <= RTMAX - RTMIN) {
                return "SIG" + name;
            }
        }
        throw invalid(signal);
    }

    private static BundleException invalid(String signal) {
        return new BundleException("INVALID_STOP_SIGNAL", "unknown stop signal \"" + signal + "\"");
    }
}
