package dev.berth.kit.events;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The offsets of one partition handed out for processing, and how far they are done without a
 * gap. Records finish in any order (different keys run concurrently, a retried record lags), but
 * the committed offset may only move past a record once it and everything before it are done:
 * otherwise a crash would skip the unfinished one.
 *
 * <p>Offsets are remembered as they come, not assumed consecutive: compaction and transaction
 * markers leave holes in a partition's offsets. Confined to the poll thread.
 */
final class PartitionOffsets {

  private final ArrayDeque<Long> pending = new ArrayDeque<>();
  private final Set<Long> done = new HashSet<>();
  private long committable = -1;
  private long committed = -1;
  private int outstanding;

  /** A record at {@code offset} was handed out; offsets arrive in increasing order. */
  void dispatched(long offset) {
    pending.addLast(offset);
    outstanding++;
  }

  /**
   * The record at {@code offset} came back: {@code processed} when it was handled or moved to
   * the dead letter topic, false when it was abandoned (shutdown, partition taken away) and must
   * be read again by whoever consumes the partition next.
   */
  void finished(long offset, boolean processed) {
    outstanding--;
    if (!processed) {
      return;
    }
    done.add(offset);
    while (!pending.isEmpty() && done.remove(pending.peekFirst())) {
      committable = pending.pollFirst() + 1;
    }
  }

  /** The next offset to read once everything done so far counts, or -1 while nothing is done. */
  long watermark() {
    return committable;
  }

  /** The offset to commit (the next one to read), or -1 while nothing new is done. */
  long toCommit() {
    return committable > committed ? committable : -1;
  }

  void committed(long offset) {
    committed = Math.max(committed, offset);
  }

  /** A commit of {@code offset} failed: offer it again. */
  void commitFailed(long offset) {
    if (committed == offset) {
      committed = -1;
    }
  }

  /** Records handed out that have not come back yet. */
  int outstanding() {
    return outstanding;
  }
}
