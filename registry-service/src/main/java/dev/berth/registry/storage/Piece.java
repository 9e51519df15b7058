package dev.berth.registry.storage;

/** Bytes {@code [start, end)} of the S3 object {@code key}, which holds {@code objectSize} bytes in all. */
record Piece(String key, long start, long end, long objectSize) {

    long length() {
        return end - start;
    }

    boolean isWholeObject() {
        return start == 0 && end == objectSize;
    }
}
