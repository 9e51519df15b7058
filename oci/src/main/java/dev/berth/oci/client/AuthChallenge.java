package dev.berth.oci.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme and its parameters, e.g.
 * {@code Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"}.
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    String param(String name) {
        return params.get(name);
    }

    /** The first Bearer challenge among the headers, else the first Basic one. */
    static Optional<AuthChallenge> choose(List<String> headers) {
        AuthChallenge basic = null;
        for (String header : headers) {
            AuthChallenge c = parse(header);
            if (c == null) {
                continue;
            }
            if (c.scheme().equals("bearer")) {
                return Optional.of(c);
            }
            if (c.scheme().equals("basic") && basic == null) {
                basic = c;
            }
        }
        return Optional.ofNullable(basic);
    }

    /** Parses a header holding one challenge; null when it is not one. */
    static AuthChallenge parse(String header) {
        String text = header.trim();
        int space = text.indexOf(' ');
        String scheme = (space < 0 ? text : text.substring(0, space)).toLowerCase(Locale.ROOT);
        if (scheme.isEmpty()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        int i = space < 0 ? text.length() : space + 1;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == ',')) {
                i++;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = text.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    char ch = text.charAt(i++);
                    if (ch == '\\' && i < text.length()) {
                        ch = text.charAt(i++);
                    }
                    value.append(ch);
                }
                i++; // closing quote
            } else {
                while (i < text.length() && text.charAt(i) != ',') {
                    value.append(text.charAt(i++));
                }
            }
            params.put(name, value.toString().trim());
        }
        return new AuthChallenge(scheme, params);
    }
}
