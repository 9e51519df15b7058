package dev.berth.oci.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * What a tar entry creates, decided by its type flag alone. commons-compress's {@code isDirectory()}
 * also says yes for any name ending in "/", so a symlink named {@code ./} would pass for a directory;
 * like Go's archive/tar (which wrote most layers), only the pre-POSIX flag NUL looks at the name.
 */
enum EntryKind {
    FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, UNSUPPORTED;

    static EntryKind of(TarArchiveEntry entry) {
        return switch (entry.getLinkFlag()) {
            case TarConstants.LF_OLDNORM -> entry.getName().endsWith("/") ? DIRECTORY : FILE;
            case TarConstants.LF_NORMAL, TarConstants.LF_CONTIG -> FILE;
            case TarConstants.LF_DIR -> DIRECTORY;
            case TarConstants.LF_SYMLINK -> SYMLINK;
            case TarConstants.LF_LINK -> HARDLINK;
            case TarConstants.LF_CHR -> CHAR_DEVICE;
            case TarConstants.LF_BLK -> BLOCK_DEVICE;
            case TarConstants.LF_FIFO -> FIFO;
            default -> UNSUPPORTED;
        };
    }
}
