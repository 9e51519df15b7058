package dev.berth.oci;

import java.util.regex.Pattern;

/**
 * A content identifier as the image spec defines it: {@code algorithm ":" encoded}.
 * Only the registered algorithms sha256 and sha512 are accepted, with their exact lowercase hex
 * lengths, because a digest that cannot be verified is worthless to a registry.
 */
public record Digest(String algorithm, String hex) {

    private static final Pattern GRAMMAR =
            Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    private static final Pattern LOWER_HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
        int expected = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new InvalidDigestException("unsupported digest algorithm: " + algorithm);
        };
        if (hex.length() != expected || !LOWER_HEX.matcher(hex).matches()) {
            throw new InvalidDigestException(
                    algorithm + " digest must be " + expected + " lowercase hex characters");
        }
    }

    public static Digest parse(String text) {
        if (text == null || !GRAMMAR.matcher(text).matches()) {
            throw new InvalidDigestException("invalid digest: " + text);
        }
        int colon = text.indexOf(':');
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (InvalidDigestException e) {
            return false;
        }
    }

    public static Digest sha256(byte[] content) {
        Digester d = Digester.sha256();
        d.update(content, 0, content.length);
        return d.digest();
    }

    public static Digest of(String algorithm, byte[] content) {
        Digester d = Digester.of(algorithm);
        d.update(content, 0, content.length);
        return d.digest();
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
