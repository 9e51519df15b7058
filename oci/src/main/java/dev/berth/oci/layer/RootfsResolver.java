package dev.berth.oci.layer;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Resolves layer paths inside a rootfs the way the container will see them: as if the rootfs were
 * {@code /}. Every component is looked at with lstat; a symlink met on the way is followed inside
 * the rootfs (an absolute target starts again at the rootfs, a relative one from the link's
 * directory), and a {@code ..} that would climb above the rootfs is refused rather than clamped.
 * The result is always a real directory under the root with no symlink left in it, so the caller can
 * create the last component there without following anything.
 * <p>
 * This assumes nothing else changes the rootfs while a layer is applied.
 */
final class RootfsResolver {

    /** Linux gives up after 40 links (ELOOP); so do we. */
    private static final int MAX_LINKS = 40;

    private final Path root;

    RootfsResolver(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /**
     * Splits a tar entry name into components, dropping empty and {@code .} ones.
     * An empty list means the entry names the root itself.
     */
    static List<String> components(String entryName, String what) throws UnsafeLayerException {
        if (entryName.startsWith("/")) {
            throw new UnsafeLayerException(entryName, what + " is an absolute path");
        }
        if (entryName.indexOf('\0') >= 0) {
            throw new UnsafeLayerException(entryName, what + " contains a NUL byte");
        }
        List<String> out = new ArrayList<>();
        for (String part : entryName.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new UnsafeLayerException(entryName, what + " contains \"..\" and would leave the rootfs");
            }
            out.add(part);
        }
        return out;
    }

    /**
     * The real directory that holds the last of {@code components}.
     *
     * @param create  create missing directories (reported to {@code created}); when false, a missing
     *                directory yields null
     */
    Path parentOf(String entryName, List<String> components, boolean create, Consumer<Path> created)
            throws IOException {
        Deque<String> pending = new ArrayDeque<>(components.subList(0, components.size() - 1));
        List<String> resolved = new ArrayList<>();
        Path current = root;
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (resolved.isEmpty()) {
                    throw new UnsafeLayerException(entryName, "its path resolves above the rootfs through a symlink");
                }
                resolved.remove(resolved.size() - 1);
                current = current.getParent();
                continue;
            }
            Path next = child(entryName, current, part);
            BasicFileAttributes attrs = lstat(next);
            if (attrs == null) {
                if (!create) {
                    return null;
                }
                Files.createDirectory(next);
                created.accept(next);
                resolved.add(part);
                current = next;
            } else if (attrs.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw new UnsafeLayerException(entryName, "too many levels of symbolic links");
                }
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) {
                    resolved.clear();
                    current = root;
                }
                String[] parts = target.split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    pending.addFirst(parts[i]);
                }
            } else if (attrs.isDirectory()) {
                resolved.add(part);
                current = next;
            } else {
                throw new UnsafeLayerException(entryName, "/" + String.join("/", resolved)
                        + (resolved.isEmpty() ? "" : "/") + part + " is not a directory");
            }
        }
        return current;
    }

    /**
     * Whether a symlink placed in {@code directory} with this target stays inside the rootfs when the
     * target is read lexically. Absolute targets always do: they are never followed during unpacking
     * and resolve against the container's root at run time.
     */
    boolean symlinkStaysInside(Path directory, String target) {
        if (target.startsWith("/")) {
            return true;
        }
        // relativize(root) is the empty path, whose name count is 1, not 0.
        int depth = directory.equals(root) ? 0 : root.relativize(directory).getNameCount();
        for (String part : target.split("/")) {
            if (part.equals("..")) {
                if (--depth < 0) {
                    return false;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
        }
        return true;
    }

    static Path child(String entryName, Path directory, String name) throws UnsafeLayerException {
        try {
            Path child = directory.resolve(name);
            if (!directory.equals(child.getParent())) {
                throw new UnsafeLayerException(entryName, "component \"" + name + "\" is not a plain name");
            }
            return child;
        } catch (InvalidPathException e) {
            throw new UnsafeLayerException(entryName, "invalid path: " + e.getReason());
        }
    }

    /** lstat, or null when nothing is there. */
    static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            // ENOTDIR on a component is "not there" for our purposes; the caller checks types itself.
            if (e.getReason() != null && e.getReason().contains("Not a directory")) {
                return null;
            }
            throw e;
        }
    }
}
