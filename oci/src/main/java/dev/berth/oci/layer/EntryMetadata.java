package dev.berth.oci.layer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/** Applies an entry's ownership, mode, xattrs and times to what was just created for it. */
final class EntryMetadata {

    private static final String XATTR_PREFIX = "SCHILY.xattr.";

    private final NativeFilesystem fs;
    private final List<String> skipped;

    EntryMetadata(NativeFilesystem fs, List<String> skipped) {
        this.fs = fs;
        this.skipped = skipped;
    }

    /** For anything but a symlink. Order matters: chown clears setuid bits and file capabilities. */
    void apply(Path path, TarArchiveEntry entry) throws IOException {
        if (fs.isRoot()) {
            fs.lchown(path, entry.getLongUserId(), entry.getLongGroupId());
        }
        fs.chmod(path, entry.getMode());
        xattrs(path, entry);
        times(path, entry);
    }

    /** A symlink's mode means nothing on Linux; its owner and times are set on the link itself. */
    void applySymlink(Path path, TarArchiveEntry entry) throws IOException {
        if (fs.isRoot()) {
            fs.lchown(path, entry.getLongUserId(), entry.getLongGroupId());
        }
        xattrs(path, entry);
        times(path, entry);
    }

    private void xattrs(Path path, TarArchiveEntry entry) {
        for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
            if (!header.getKey().startsWith(XATTR_PREFIX)) {
                continue;
            }
            String name = header.getKey().substring(XATTR_PREFIX.length());
            String value = header.getValue();
            if (name.equals("security.selinux")) {
                // Labels belong to the host's policy, not to the image.
                skipped.add(entry.getName() + ": xattr " + name + " (host labels apply)");
            } else if (value.indexOf('\uFFFD') >= 0) {
                // The tar reader decodes PAX values as UTF-8; a binary value (e.g. a capability set
                // that is not valid UTF-8) reaches us damaged, and a damaged one is worse than none.
                skipped.add(entry.getName() + ": xattr " + name + " (binary value not representable)");
            } else if (!fs.setXattr(path, name, value.getBytes(StandardCharsets.UTF_8))) {
                skipped.add(entry.getName() + ": xattr " + name + " (not supported here)");
            }
        }
    }

    private void times(Path path, TarArchiveEntry entry) throws IOException {
        FileTime mtime = entry.getLastModifiedTime();
        if (mtime == null) {
            return;
        }
        FileTime atime = entry.getLastAccessTime() != null ? entry.getLastAccessTime() : mtime;
        if (fs.setTimes(path, atime, mtime)) {
            return;
        }
        // NIO opens the file to set its times, which would block forever on a FIFO.
        if (entry.isFIFO() || entry.isCharacterDevice() || entry.isBlockDevice()) {
            skipped.add(entry.getName() + ": mtime (no native utimensat)");
            return;
        }
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(mtime, atime, null);
    }
}
