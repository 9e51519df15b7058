package dev.berth.oci;

/** A manifest or index that is not valid JSON or breaks the image spec's rules. */
public final class InvalidManifestException extends RuntimeException {
    public InvalidManifestException(String message) {
        super(message);
    }
}
