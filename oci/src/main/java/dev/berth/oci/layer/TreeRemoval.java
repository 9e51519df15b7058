package dev.berth.oci.layer;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Deletes a path and, for a directory, everything under it, never following a symlink. */
final class TreeRemoval {

    private TreeRemoval() {
    }

    /**
     * @param root when false, directories are made owner-writable first, since without root a
     *             read-only directory from a lower layer would otherwise keep its children
     */
    static void remove(Path path, boolean root) throws IOException {
        // walkFileTree does not follow links unless asked: a symlink is visited, and deleted, as a file.
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!root) {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
                    if (perms.add(PosixFilePermission.OWNER_WRITE) | perms.add(PosixFilePermission.OWNER_EXECUTE)) {
                        Files.setPosixFilePermissions(dir, perms);
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
