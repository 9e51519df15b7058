package dev.berth.registry.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * How pieces of existing objects become one new object through a multipart upload. S3 wants every
 * part but the last to be at least 5 MiB, and a server-side copy part at most 5 GiB. A piece at least
 * that big is copied inside the object store (no bytes pass through the registry); small pieces are
 * stitched together, read back into one part buffer and uploaded.
 */
final class ComposePlan {

    /** S3's largest copy part (and largest single CopyObject). */
    static final long MAX_COPY_PART = 5L * 1024 * 1024 * 1024;

    sealed interface Part permits Copy, Stitch {
        long length();
    }

    /** A server-side copy (UploadPartCopy) of one range. */
    record Copy(Piece source) implements Part {
        @Override
        public long length() {
            return source.length();
        }
    }

    /** Ranges read back and uploaded as one part of at most the part size. */
    record Stitch(List<Piece> sources) implements Part {
        @Override
        public long length() {
            return sources.stream().mapToLong(Piece::length).sum();
        }
    }

    private ComposePlan() {
    }

    static List<Part> of(List<Piece> pieces, int partSize, long minPart, long maxCopyPart) {
        if (maxCopyPart < 2 * minPart || partSize < minPart) {
            throw new IllegalArgumentException("copy parts must allow two minimum parts and parts the minimum");
        }
        List<Part> parts = new ArrayList<>();
        List<Piece> stitch = new ArrayList<>();
        long stitched = 0;
        for (Piece piece : pieces) {
            long start = piece.start();
            while (start < piece.end()) {
                long remaining = piece.end() - start;
                if (stitched == 0 && remaining >= minPart) {
                    long chunk = Math.min(remaining, maxCopyPart);
                    long rest = remaining - chunk;
                    if (rest > 0 && rest < minPart) {
                        // Leave a remainder big enough to be a copy part of its own.
                        chunk = remaining - minPart;
                    }
                    parts.add(new Copy(new Piece(piece.key(), start, start + chunk, piece.objectSize())));
                    start += chunk;
                } else {
                    long take = Math.min(remaining, partSize - stitched);
                    stitch.add(new Piece(piece.key(), start, start + take, piece.objectSize()));
                    stitched += take;
                    start += take;
                    if (stitched == partSize) {
                        parts.add(new Stitch(List.copyOf(stitch)));
                        stitch.clear();
                        stitched = 0;
                    }
                }
            }
        }
        if (stitched > 0) {
            parts.add(new Stitch(List.copyOf(stitch)));
        }
        return parts;
    }
}
