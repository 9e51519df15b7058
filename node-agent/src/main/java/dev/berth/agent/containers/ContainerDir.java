package dev.berth.agent.containers;

import dev.berth.agent.rootfs.FileTrees;
import dev.berth.agent.runtime.RunFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One container's directory, {@code <state>/containers/<id>/}: {@code spec.json}, {@code status.json}, the
 * bundle, conmon's log, exit and pid files ({@link RunFiles}).
 */
public record ContainerDir(Path path) {

    public static final String SPEC = "spec.json";
    public static final String STATUS = "status.json";

    public String id() {
        return path.getFileName().toString();
    }

    public RunFiles files() {
        return RunFiles.in(path);
    }

    public Path bundle() {
        return files().bundle();
    }

    /** The poststart hooks the agent runs itself (see {@code PoststartHooks}). */
    public Path poststartHooks() {
        return path.resolve("poststart.json");
    }

    public void writeStatus(ContainerStatus status) throws IOException {
        writeAtomically(path.resolve(STATUS), status.toJson().encodePrettily());
    }

    /**
     * Replaces {@code status.json} with a file whose content is on disk, without making the rename itself durable:
     * after a crash the old or the new status is there, never a torn or empty one. For changes a restarted agent
     * can tell from runc's state anyway (created to running).
     */
    public void writeStatusUnsynced(ContainerStatus status) throws IOException {
        replace(path.resolve(STATUS), status.toJson().encodePrettily());
    }

    public Optional<ContainerStatus> readStatus() throws IOException {
        try {
            return Optional.of(ContainerStatus.fromJson(new JsonObject(Files.readString(path.resolve(STATUS)))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Writes {@code spec.json} durably, and the container's directory entry in its parent too. */
    public void writeSpec(JsonObject spec) throws IOException {
        writeAtomically(path.resolve(SPEC), spec.encodePrettily());
        syncDirectory(path.getParent());
    }

    public JsonObject readSpec() throws IOException {
        return new JsonObject(Files.readString(path.resolve(SPEC)));
    }

    /** Removes the directory and everything in it (the bundle must be destroyed first: it may hold a mount). */
    public void delete() throws IOException {
        FileTrees.delete(path);
    }

    /**
     * Temp file, fsync, rename over the target, fsync the directory: after a crash the file holds either the old
     * or the new content, never a torn mix.
     */
    static void writeAtomically(Path target, String content) throws IOException {
        replace(target, content);
        syncDirectory(target.getParent());
    }

    /** Temp file, fsync, rename over the target. */
    private static void replace(Path target, String content) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
