package dev.berth.bench;

import java.nio.file.Path;

/** A blob waiting on disk to be pushed: its bytes are streamed from {@code path}, never loaded whole. */
record BlobFile(Path path, long size, String digest) {
}
