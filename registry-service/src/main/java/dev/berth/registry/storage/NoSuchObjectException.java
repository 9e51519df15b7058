package dev.berth.registry.storage;

/** The storage backend holds nothing at the path asked for. */
public final class NoSuchObjectException extends RuntimeException {
    public NoSuchObjectException(String path) {
        super("no object at " + path, null, false, false);
    }
}
