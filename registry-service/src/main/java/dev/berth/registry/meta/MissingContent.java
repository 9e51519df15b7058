package dev.berth.registry.meta;

/** A manifest names a blob or manifest the repository no longer holds (garbage collection took it). */
public final class MissingContent extends RuntimeException {

    private final String digest;

    public MissingContent(String digest) {
        super("repository does not hold " + digest, null, false, false);
        this.digest = digest;
    }

    public String digest() {
        return digest;
    }
}
