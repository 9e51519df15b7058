package dev.berth.infra;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An exclusive lock on {@code <dataDir>.lock}, held while a server runs on {@code dataDir}. The
 * operating system drops it when the holding process dies, however it dies.
 */
final class DataDirLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DataDirLock acquire(Path dataDir) throws IOException {
    Path file = dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + ".lock");
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IOException("another running process uses " + dataDir + " (it holds " + file + ")");
    }
    return new DataDirLock(channel, lock);
  }

  /**
   * Stops a PostgreSQL whose postmaster.pid names a live postgres process: SIGTERM, which shuts it
   * down cleanly once its (dead) clients' connections are gone, then SIGKILL if it does not go.
   */
  static void stopOrphanedPostmaster(Path dataDir) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
    } catch (NoSuchFileException e) {
      return;
    }
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid)
        .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    if (process.isEmpty()) {
      return;
    }
    ProcessHandle postmaster = process.get();
    postmaster.destroy();
    try {
      postmaster.onExit().get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      postmaster.destroyForcibly();
      waitQuietly(postmaster);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping an orphaned PostgreSQL", e);
    } catch (ExecutionException e) {
      throw new IOException("could not stop orphaned PostgreSQL " + pid, e);
    }
  }

  private static void waitQuietly(ProcessHandle process) {
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the start that follows reports whatever is still wrong
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // closing the channel releases the lock anyway
    }
  }
}
