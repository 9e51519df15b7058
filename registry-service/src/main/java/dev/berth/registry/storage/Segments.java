package dev.berth.registry.storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An object that is still being appended to, as the S3 driver keeps it: every append stream that
 * started at byte {@code offset} of {@code path} wrote one segment object,
 * {@code <path>.append/<offset, 19 digits>}. S3 objects cannot be appended to, so the logical bytes
 * are the segments in offset order, each cut where the next one starts: a segment that begins at
 * offset {@code n} replaces whatever an earlier segment held from {@code n} on. That is how "append at
 * {@code n}, discarding bytes past {@code n}" maps to S3 with no state outside the bucket, whichever
 * registry instance wrote which segment.
 */
final class Segments {

    static final String MARKER = ".append/";

    private final List<StoredObject> chain;
    private final List<StoredObject> unreachable;

    private Segments(List<StoredObject> chain, List<StoredObject> unreachable) {
        this.chain = chain;
        this.unreachable = unreachable;
    }

    static String prefix(String path) {
        return path + MARKER;
    }

    static String key(String path, long offset) {
        return prefix(path) + String.format("%019d", offset);
    }

    static long offsetOf(StoredObject segment) {
        String key = segment.key();
        return Long.parseLong(key.substring(key.lastIndexOf('/') + 1));
    }

    /** Reads a listing of {@code prefix(path)}; keys that are not segments are ignored. */
    static Segments of(List<StoredObject> listed) {
        List<StoredObject> sorted = listed.stream()
                .filter(o -> o.key().substring(o.key().lastIndexOf('/') + 1).matches("\\d{19}"))
                .sorted(Comparator.comparingLong(Segments::offsetOf))
                .toList();
        List<StoredObject> chain = new ArrayList<>();
        List<StoredObject> unreachable = new ArrayList<>();
        long end = 0;
        for (StoredObject segment : sorted) {
            // A segment past the end can only be left over from a failed cleanup: it is not content.
            if (!unreachable.isEmpty() || offsetOf(segment) > end) {
                unreachable.add(segment);
                continue;
            }
            chain.add(segment);
            end = offsetOf(segment) + segment.size();
        }
        return new Segments(List.copyOf(chain), List.copyOf(unreachable));
    }

    boolean isEmpty() {
        return chain.isEmpty() && unreachable.isEmpty();
    }

    long size() {
        if (chain.isEmpty()) {
            return 0;
        }
        StoredObject last = chain.get(chain.size() - 1);
        return offsetOf(last) + last.size();
    }

    /** Every segment object, content or not. */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        chain.forEach(s -> keys.add(s.key()));
        unreachable.forEach(s -> keys.add(s.key()));
        return keys;
    }

    /** Segments that an append at {@code offset} supersedes: those starting there or later. */
    List<String> keysFrom(long offset) {
        List<String> keys = new ArrayList<>();
        chain.stream().filter(s -> offsetOf(s) >= offset).forEach(s -> keys.add(s.key()));
        unreachable.forEach(s -> keys.add(s.key()));
        return keys;
    }

    /** The pieces of segment objects that hold logical bytes {@code [from, to)}, in order. */
    List<Piece> pieces(long from, long to) {
        List<Piece> pieces = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            StoredObject segment = chain.get(i);
            long start = offsetOf(segment);
            long end = start + segment.size();
            if (i + 1 < chain.size()) {
                end = Math.min(end, offsetOf(chain.get(i + 1)));
            }
            long first = Math.max(from, start);
            long last = Math.min(to, end);
            if (first < last) {
                pieces.add(new Piece(segment.key(), first - start, last - start, segment.size()));
            }
        }
        return pieces;
    }
}
