package dev.berth.oci.layer;

import dev.berth.oci.ContentMismatchException;
import dev.berth.oci.Digest;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies image layers (image spec layer.md) to a rootfs directory: regular files, directories,
 * symlinks, hardlinks, FIFOs and (as root) device nodes, with their modes, mtimes, xattrs and (as
 * root) numeric ownership; {@code .wh.NAME} whiteouts and {@code .wh..wh..opq} opaque directories
 * remove what lower layers left.
 * <p>
 * Built for hostile input. Every entry is resolved inside the rootfs (see {@link RootfsResolver}); an
 * entry that would reach outside it, replace the root, link to something outside it, create a device
 * node without root, or exceed {@link LayerLimits} stops the layer with an {@link UnsafeLayerException}
 * naming the entry, before anything outside the rootfs is touched. After any exception the rootfs is
 * half-applied and must be thrown away, as must one whose diff_id did not match.
 * <p>
 * Blocking: call it from a worker thread. One instance may be used by several threads at once.
 */
public final class LayerUnpacker {

    private final LayerLimits limits;
    private final NativeFilesystem fs;

    public LayerUnpacker() {
        this(LayerLimits.DEFAULT);
    }

    public LayerUnpacker(LayerLimits limits) {
        this(limits, NativeFilesystem.load());
    }

    LayerUnpacker(LayerLimits limits, NativeFilesystem fs) {
        this.limits = limits;
        this.fs = fs;
    }

    /** Whether ownership is applied and device nodes allowed: only when running as root. */
    public boolean runsAsRoot() {
        return fs.isRoot();
    }

    /**
     * Applies a layer blob file.
     *
     * @param expectedDiffId the config's {@code rootfs.diff_ids[i]} for this layer; null skips the check
     */
    public UnpackResult unpack(Path blob, String mediaType, Path rootfs, Digest expectedDiffId) throws IOException {
        LayerCompression compression = LayerCompression.forMediaType(mediaType);
        try (InputStream in = Files.newInputStream(blob)) {
            return unpack(in, compression, rootfs, expectedDiffId);
        }
    }

    /** Applies a layer read from a stream (which is not closed). */
    public UnpackResult unpack(InputStream blob, LayerCompression compression, Path rootfs, Digest expectedDiffId)
            throws IOException {
        if (!Files.isDirectory(rootfs)) {
            throw new IOException("rootfs " + rootfs + " is not a directory");
        }
        String algorithm = expectedDiffId == null ? "sha256" : expectedDiffId.algorithm();
        // Closing the decompressor frees zstd's native buffers; the caller's stream stays open.
        InputStream shielded = new FilterInputStream(blob) {
            @Override
            public void close() {
            }
        };
        Application application = new Application(new RootfsResolver(rootfs.toRealPath()));
        long entries = 0;
        String current = "(archive)";
        Digest diffId;
        long size;
        try (InputStream uncompressed = compression.decompress(new BufferedInputStream(shielded, 64 * 1024))) {
            UncompressedLayerStream tarStream =
                    new UncompressedLayerStream(uncompressed, algorithm, limits.maxUncompressedBytes());
            TarArchiveInputStream tar = new TarArchiveInputStream(tarStream);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                current = entry.getName();
                if (++entries > limits.maxEntries()) {
                    throw new UnsafeLayerException(current, "layer has more than " + limits.maxEntries() + " entries");
                }
                application.apply(entry, tar);
            }
            current = "(end of archive)";
            tarStream.drain();
            diffId = tarStream.digester().digest();
            size = tarStream.count();
        } catch (UncompressedLayerStream.LimitExceeded e) {
            throw new UnsafeLayerException(current, e.getMessage());
        }
        application.finish();
        if (expectedDiffId != null && !expectedDiffId.equals(diffId)) {
            throw new ContentMismatchException(
                    "layer diff_id is " + diffId + " but the image config says " + expectedDiffId);
        }
        return new UnpackResult(diffId, entries, size, application.skipped);
    }

    /** The state of one layer being applied. */
    private final class Application {

        private static final String WHITEOUT = ".wh.";
        private static final String OPAQUE = ".wh..wh..opq";

        private final RootfsResolver resolver;
        /** Paths this layer created: whiteouts hide lower layers only, never the layer's own entries. */
        private final Set<Path> written = new HashSet<>();
        /** Directory metadata is applied last, so adding children does not undo mtimes or lock us out. */
        private final List<DirectoryMetadata> directories = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        private final EntryMetadata metadata;

        Application(RootfsResolver resolver) {
            this.resolver = resolver;
            this.metadata = new EntryMetadata(fs, skipped);
        }

        void apply(TarArchiveEntry entry, InputStream content) throws IOException {
            String name = entry.getName();
            EntryKind kind = EntryKind.of(entry);
            List<String> parts = RootfsResolver.components(name, "path");
            if (parts.isEmpty()) {
                if (kind != EntryKind.DIRECTORY) {
                    throw new UnsafeLayerException(name, "would replace the rootfs itself");
                }
                directories.add(new DirectoryMetadata(resolver.root(), entry));
                return;
            }
            String leaf = parts.get(parts.size() - 1);
            if (leaf.startsWith(WHITEOUT)) {
                applyWhiteout(name, parts, leaf);
                return;
            }
            Path parent = resolver.parentOf(name, parts, true, written::add);
            Path target = RootfsResolver.child(name, parent, leaf);
            BasicFileAttributes existing = RootfsResolver.lstat(target);
            switch (kind) {
                case DIRECTORY -> {
                    if (existing == null || !existing.isDirectory()) {
                        replace(target, existing);
                        Files.createDirectory(target);
                    }
                    // Owner rwx until finish() sets the entry's mode, so that without root a
                    // read-only directory can still be filled by the entries after it.
                    fs.chmod(target, 0700);
                    directories.add(new DirectoryMetadata(target, entry));
                }
                case HARDLINK -> {
                    // Resolve before removing the old file: a hardlink may name the path it replaces.
                    Path linked = hardlinkTarget(entry);
                    if (!linked.equals(target)) {
                        replace(target, existing);
                        Files.createLink(target, linked);
                    }
                }
                case SYMLINK -> {
                    String link = entry.getLinkName();
                    if (link.isEmpty() || link.indexOf('\0') >= 0) {
                        throw new UnsafeLayerException(name, "symlink has an invalid target");
                    }
                    if (!resolver.symlinkStaysInside(parent, link)) {
                        throw new UnsafeLayerException(name, "symlink target \"" + link + "\" points outside the rootfs");
                    }
                    replace(target, existing);
                    Files.createSymbolicLink(target, Path.of(link));
                    metadata.applySymlink(target, entry);
                }
                case CHAR_DEVICE, BLOCK_DEVICE -> {
                    if (!fs.canMakeNodes()) {
                        throw new UnsafeLayerException(name, "device nodes can only be created when running as root");
                    }
                    replace(target, existing);
                    fs.mknod(target, kind == EntryKind.CHAR_DEVICE ? NativeFilesystem.S_IFCHR : NativeFilesystem.S_IFBLK,
                            entry.getMode(), entry.getDevMajor(), entry.getDevMinor());
                    metadata.apply(target, entry);
                }
                case FIFO -> {
                    if (!fs.canMakeFifos()) {
                        throw new UnsafeLayerException(name, "FIFOs need native POSIX support, which is missing");
                    }
                    replace(target, existing);
                    fs.mkfifo(target, entry.getMode());
                    metadata.apply(target, entry);
                }
                case FILE -> {
                    replace(target, existing);
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        content.transferTo(out);
                    }
                    metadata.apply(target, entry);
                }
                case UNSUPPORTED -> throw new UnsafeLayerException(
                        name, "unsupported tar entry type '" + (char) entry.getLinkFlag() + "'");
            }
            written.add(target);
        }

        private void applyWhiteout(String name, List<String> parts, String leaf) throws IOException {
            if (leaf.equals(OPAQUE)) {
                Path directory = resolver.parentOf(name, parts, true, written::add);
                try (var children = Files.list(directory)) {
                    for (Path child : (Iterable<Path>) children::iterator) {
                        removeUnlessWritten(child);
                    }
                }
                return;
            }
            if (leaf.startsWith(WHITEOUT + WHITEOUT)) {
                return; // other .wh..wh. names are AUFS bookkeeping, meaningless here
            }
            String hidden = leaf.substring(WHITEOUT.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                throw new UnsafeLayerException(name, "whiteout does not name a file");
            }
            Path directory = resolver.parentOf(name, parts, false, written::add);
            if (directory == null) {
                return;
            }
            Path victim = RootfsResolver.child(name, directory, hidden);
            if (!written.contains(victim) && RootfsResolver.lstat(victim) != null) {
                TreeRemoval.remove(victim, fs.isRoot());
            }
        }

        private void removeUnlessWritten(Path path) throws IOException {
            if (!written.contains(path)) {
                TreeRemoval.remove(path, fs.isRoot());
                return;
            }
            BasicFileAttributes attrs = RootfsResolver.lstat(path);
            if (attrs != null && attrs.isDirectory()) {
                try (var children = Files.list(path)) {
                    for (Path child : (Iterable<Path>) children::iterator) {
                        removeUnlessWritten(child);
                    }
                }
            }
        }

        /** Hardlink names are paths from the layer's root; they must lead to a non-directory inside it. */
        private Path hardlinkTarget(TarArchiveEntry entry) throws IOException {
            String name = entry.getName();
            String link = entry.getLinkName();
            List<String> parts;
            try {
                parts = RootfsResolver.components(link, "hardlink target");
            } catch (UnsafeLayerException e) {
                throw new UnsafeLayerException(name, "hardlink target \"" + link + "\" points outside the rootfs");
            }
            if (parts.isEmpty()) {
                throw new UnsafeLayerException(name, "hardlink to the rootfs itself");
            }
            Path parent = resolver.parentOf(name, parts, false, written::add);
            Path linked = parent == null ? null : RootfsResolver.child(name, parent, parts.get(parts.size() - 1));
            BasicFileAttributes attrs = linked == null ? null : RootfsResolver.lstat(linked);
            if (attrs == null) {
                throw new UnsafeLayerException(name, "hardlink target \"" + link + "\" does not exist");
            }
            if (attrs.isDirectory()) {
                throw new UnsafeLayerException(name, "hardlink target \"" + link + "\" is a directory");
            }
            return linked;
        }

        /** A non-directory entry replaces whatever was there, a directory tree included (as Docker does). */
        private void replace(Path target, BasicFileAttributes existing) throws IOException {
            if (existing != null) {
                TreeRemoval.remove(target, fs.isRoot());
            }
        }

        void finish() throws IOException {
            // Deepest first, so a parent's mtime and read-only mode are set after its children.
            directories.sort((a, b) -> Integer.compare(b.path().getNameCount(), a.path().getNameCount()));
            for (DirectoryMetadata dir : directories) {
                BasicFileAttributes attrs = RootfsResolver.lstat(dir.path());
                if (attrs != null && attrs.isDirectory()) {
                    metadata.apply(dir.path(), dir.entry());
                }
            }
        }
    }

    private record DirectoryMetadata(Path path, TarArchiveEntry entry) {
    }
}
