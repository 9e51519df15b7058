package dev.berth.registry.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.FileSystemException;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;

/** Blob driver over a local directory, on Vert.x's asynchronous file API. */
public final class FilesystemDriver implements BlobDriver {

    private final Vertx vertx;
    private final FileSystem fs;
    private final Path root;

    public FilesystemDriver(Vertx vertx, Path root) {
        this.vertx = vertx;
        this.fs = vertx.fileSystem();
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    private String file(String path) {
        Path resolved = root.resolve(path).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("path escapes the storage root: " + path);
        }
        return resolved.toString();
    }

    @Override
    public Future<WriteStream<Buffer>> openForAppend(String path, long offset) {
        Path file = Path.of(file(path));
        return vertx.executeBlocking(() -> {
            Files.createDirectories(file.getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                if (channel.size() > offset) {
                    channel.truncate(offset);
                }
                channel.position(offset);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return (WriteStream<Buffer>) new FileAppender(vertx, channel);
        }, false);
    }

    @Override
    public Future<Long> size(String path) {
        return fs.props(file(path)).map(p -> p.size()).recover(e -> Future.failedFuture(translate(e, path)));
    }

    @Override
    public Future<ReadStream<Buffer>> read(String path, long offset, long length) {
        return fs.open(file(path), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
                .map(f -> (ReadStream<Buffer>) f.setReadPos(offset).setReadLength(length))
                .recover(e -> Future.failedFuture(translate(e, path)));
    }

    @Override
    public Future<Void> move(String from, String to) {
        Path source = Path.of(file(from));
        Path target = Path.of(file(to));
        return vertx.<Void>executeBlocking(() -> {
            createDirectoriesDurably(target.getParent());
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            // The bytes were fsynced before the move; this makes the new name durable too, so a blob that
            // was acknowledged is still under its digest after a crash (whatever else shares the disk).
            syncDirectory(target.getParent());
            return null;
        }, false).recover(e -> Future.failedFuture(translate(e, from)));
    }

    /** {@code Files.createDirectories}, with every new directory's entry fsynced in its parent. */
    private static void createDirectoriesDurably(Path dir) throws IOException {
        Path existing = dir;
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        Files.createDirectories(dir);
        for (Path created = dir; existing != null && !created.equals(existing); created = created.getParent()) {
            syncDirectory(created.getParent());
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public Future<Void> delete(String path) {
        String file = file(path);
        return fs.exists(file).compose(exists -> exists ? fs.deleteRecursive(file) : Future.succeededFuture());
    }

    @Override
    public Future<Void> probe() {
        return vertx.executeBlocking(() -> {
            if (!java.nio.file.Files.isDirectory(root) || !java.nio.file.Files.isWritable(root)) {
                throw new IllegalStateException("storage root not writable: " + root);
            }
            return null;
        }, false);
    }

    @Override
    public Path localFile(String path) {
        return Path.of(file(path));
    }

    private static Throwable translate(Throwable e, String path) {
        Throwable cause = e instanceof FileSystemException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof NoSuchFileException ? new NoSuchObjectException(path) : e;
    }
}
