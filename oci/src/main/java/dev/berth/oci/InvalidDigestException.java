package dev.berth.oci;

/** A digest string that does not follow the image spec's grammar or a supported algorithm. */
public final class InvalidDigestException extends IllegalArgumentException {
    public InvalidDigestException(String message) {
        super(message);
    }
}
