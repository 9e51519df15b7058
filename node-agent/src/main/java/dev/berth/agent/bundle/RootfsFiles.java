package dev.berth.agent.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Looks up paths inside an unpacked image the way the container will see them, with the rootfs as
 * {@code /}: symlinks are followed inside it (absolute targets restart at the rootfs, {@code ..} stops
 * at its top, as after a chroot), so a hostile {@code /etc/passwd -> /../../host/file} never reads
 * the host.
 */
public final class RootfsFiles {

    /** Linux gives up after 40 links (ELOOP); so do we. */
    private static final int MAX_LINKS = 40;

    private RootfsFiles() {
    }

    /**
     * The host path of {@code containerPath} inside {@code rootfs}, with no symlink left in it, or empty
     * when some component does not exist. The last component is not followed if {@code followLast} is false.
     */
    public static Optional<Path> resolve(Path rootfs, String containerPath, boolean followLast) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, containerPath);
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                done.pollLast();
                continue;
            }
            Path candidate = join(rootfs, done).resolve(part);
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            if (attrs.isSymbolicLink() && (followLast || !todo.isEmpty())) {
                if (++links > MAX_LINKS) {
                    throw new IOException("too many levels of symbolic links in " + containerPath);
                }
                String target = Files.readSymbolicLink(candidate).toString();
                if (target.startsWith("/")) {
                    done.clear();
                }
                push(todo, target);
                continue;
            }
            done.addLast(part);
        }
        return Optional.of(join(rootfs, done));
    }

    /**
     * Reads a regular file inside the rootfs as UTF-8, at most {@code maxBytes}; empty when it does not
     * exist.
     *
     * @throws IOException when it is not a regular file or is larger than {@code maxBytes}
     */
    public static Optional<String> readSmallFile(Path rootfs, String containerPath, int maxBytes) throws IOException {
        Optional<Path> path = resolve(rootfs, containerPath, true);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(path.get(), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(containerPath + " in the image is not a regular file");
        }
        try (InputStream in = Files.newInputStream(path.get(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException(containerPath + " in the image is larger than " + maxBytes + " bytes");
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.push(parts[i]);
        }
    }

    private static Path join(Path rootfs, Deque<String> parts) {
        Path out = rootfs;
        for (String part : parts) {
            out = out.resolve(part);
        }
        return out;
    }
}
