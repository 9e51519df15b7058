package dev.berth.agent.image;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Content-addressed files under {@code blobs/<algorithm>/<hex>}. Content only ever lands there by an
 * atomic rename after it was verified, so a file that exists is complete and correct. Names starting
 * with a dot are downloads in progress (or leftovers of a crash, removed on start).
 */
final class BlobFiles {

    private final Path dir;

    BlobFiles(Path dir) {
        this.dir = dir;
    }

    Path path(String digest) {
        Digest d = Digest.parse(digest);
        return dir.resolve(d.algorithm()).resolve(d.hex());
    }

    Path prepare(String digest) throws IOException {
        Path path = path(digest);
        Files.createDirectories(path.getParent());
        return path;
    }

    boolean exists(String digest) {
        return Files.isRegularFile(path(digest));
    }

    /** Stores small verified content (a config, a manifest) unless it is there already; true if written. */
    boolean write(String digest, byte[] content) throws IOException {
        Path target = prepare(digest);
        if (Files.isRegularFile(target)) {
            return false;
        }
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.write(temp, content);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return true;
    }

    byte[] read(String digest, int maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(path(digest))) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException("blob " + digest + " is larger than " + maxBytes + " bytes");
            }
            return bytes;
        }
    }

    /** Every stored digest. */
    List<String> all() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path algorithm : algorithms) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(algorithm)) {
                    for (Path file : files) {
                        String name = file.getFileName().toString();
                        if (!name.startsWith(".")) {
                            out.add(algorithm.getFileName() + ":" + name);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Deletes the hidden files of downloads a crash interrupted. */
    void cleanPartials() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path algorithm : algorithms) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(algorithm, ".*")) {
                    for (Path file : files) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }
}
