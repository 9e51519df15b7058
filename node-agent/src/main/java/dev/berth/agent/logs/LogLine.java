package dev.berth.agent.logs;

/**
 * One line of conmon's k8s log format, {@code <RFC3339Nano> stdout|stderr F|P message}; a {@code P} (partial)
 * record continues in the next record of the same stream.
 */
public record LogLine(String timestamp, String stream, boolean partial, String message) {

    /** Parses one record (without its newline); null when the line is not in the format. */
    public static LogLine parse(String line) {
        int a = line.indexOf(' ');
        int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
        int c = b < 0 ? -1 : line.indexOf(' ', b + 1);
        if (c < 0 && b >= 0 && line.length() == b + 2) {
            c = line.length(); // "ts stream F" with an empty message
        }
        if (c < 0) {
            return null;
        }
        String stream = line.substring(a + 1, b);
        String tag = line.substring(b + 1, c);
        if (!(stream.equals("stdout") || stream.equals("stderr")) || !(tag.equals("F") || tag.equals("P"))) {
            return null;
        }
        String message = c >= line.length() ? "" : line.substring(c + 1);
        return new LogLine(line.substring(0, a), stream, tag.equals("P"), message);
    }

    /** What the logs API prints: the message, optionally after its timestamp, and a newline. */
    public String render(boolean timestamps) {
        return timestamps ? timestamp + " " + message + "\n" : message + "\n";
    }
}
