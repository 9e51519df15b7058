package dev.berth.kit.events;

import io.vertx.core.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka half of {@link EventConsumer}, on a thread of its own because {@code KafkaConsumer}
 * blocks and is single-threaded: polls, hands records to the event loop in batches, takes back
 * finished ones through a queue, commits the contiguous watermark of each partition, and pauses
 * fetching while too much work is in flight.
 */
final class PollLoop implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

  private record Finished(Delivery delivery, boolean processed) {}

  private final ConsumerSettings settings;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Context context;
  private final Consumer<Delivery> dispatch;
  private final Runnable abandonWaitingRetries;
  // Poll-thread state.
  private final Map<TopicPartition, PartitionOffsets> offsets = new HashMap<>();
  private int inFlight;
  private boolean paused;
  private boolean commitInFlight;
  private boolean lastCommitFailed;
  // Shared with the event loop.
  private final Map<TopicPartition, PartitionOffsets> owned = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
  private volatile boolean stopping;

  PollLoop(ConsumerSettings settings, KafkaConsumer<byte[], byte[]> consumer, Context context,
      Consumer<Delivery> dispatch, Runnable abandonWaitingRetries) {
    this.settings = settings;
    this.consumer = consumer;
    this.context = context;
    this.dispatch = dispatch;
    this.abandonWaitingRetries = abandonWaitingRetries;
  }

  /** Whether the dispatcher should still work on {@code delivery}; any thread. */
  boolean stillOwned(Delivery delivery) {
    return !stopping && owned.get(delivery.partition()) == delivery.tracker();
  }

  /** A record came back from the dispatcher; any thread. */
  void finished(Delivery delivery, boolean processed) {
    finished.add(new Finished(delivery, processed));
  }

  /** Asks the loop to drain and close; {@link #run()} returns when it is done. */
  void stop() {
    stopping = true;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(settings.topic()), new Rebalance());
      while (!stopping) {
        try {
          pollOnce();
        } catch (RuntimeException e) {
          // Kafka recovers from most trouble by itself; keep going rather than stop consuming.
          LOG.error("event consumer {} on {}: poll failed, retrying in 1 s", settings.groupId(), settings.topic(), e);
          sleep(1000);
        }
      }
      drain();
    } finally {
      try {
        consumer.close(CloseOptions.timeout(COMMIT_TIMEOUT));
      } catch (RuntimeException e) {
        LOG.warn("event consumer {} did not close cleanly: {}", settings.groupId(), e.toString());
      }
    }
  }

  private void pollOnce() {
    takeFinished();
    commitAsync();
    applyBackpressure();
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
    if (records.isEmpty()) {
      return;
    }
    List<Delivery> batch = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      PartitionOffsets tracker = offsets.get(partition);
      if (tracker == null) {
        continue; // revoked within this poll; the next owner reads it
      }
      tracker.dispatched(record.offset());
      inFlight++;
      batch.add(new Delivery(record, partition, tracker));
    }
    context.runOnContext(v -> batch.forEach(dispatch));
  }

  private void takeFinished() {
    Finished done;
    while ((done = finished.poll()) != null) {
      apply(done);
    }
  }

  private void apply(Finished done) {
    // A tracker of a revoked partition is no longer in `offsets`, so this changes nothing there.
    done.delivery().tracker().finished(done.delivery().record().offset(), done.processed());
    inFlight--;
  }

  private void applyBackpressure() {
    if (!paused && inFlight >= settings.maxInFlight()) {
      paused = true;
      LOG.debug("event consumer {}: {} records in flight, pausing", settings.groupId(), inFlight);
    } else if (paused && inFlight <= settings.maxInFlight() / 2) {
      paused = false;
      consumer.resume(consumer.paused());
    }
    if (paused) {
      // Again every round: partitions assigned since the pause start unpaused.
      consumer.pause(consumer.assignment());
    }
  }

  /** {@code all}: also what was committed already (an asynchronous commit may still fail). */
  private Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions, boolean all) {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    for (TopicPartition partition : partitions) {
      PartitionOffsets tracker = offsets.get(partition);
      long offset = tracker == null ? -1 : all ? tracker.watermark() : tracker.toCommit();
      if (offset >= 0) {
        commit.put(partition, new OffsetAndMetadata(offset));
      }
    }
    return commit;
  }

  // One asynchronous commit at a time: while the broker is away they would pile up otherwise.
  private void commitAsync() {
    if (commitInFlight) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> commit = committable(offsets.keySet(), false);
    if (commit.isEmpty()) {
      return;
    }
    commit.forEach((partition, offset) -> offsets.get(partition).committed(offset.offset()));
    commitInFlight = true;
    consumer.commitAsync(commit, (done, error) -> {
      commitInFlight = false;
      if (error == null) {
        if (lastCommitFailed) {
          LOG.info("event consumer {}: committing offsets works again", settings.groupId());
        }
        lastCommitFailed = false;
        return;
      }
      if (!lastCommitFailed) {
        LOG.warn("event consumer {}: offset commit failed, will retry: {}", settings.groupId(), error.toString());
      }
      lastCommitFailed = true;
      commit.forEach((partition, offset) -> {
        PartitionOffsets tracker = offsets.get(partition);
        if (tracker != null) {
          tracker.commitFailed(offset.offset());
        }
      });
    });
  }

  private void commitSync(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> commit = committable(partitions, true);
    if (commit.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(commit, COMMIT_TIMEOUT);
      commit.forEach((partition, offset) -> offsets.get(partition).committed(offset.offset()));
    } catch (RuntimeException e) {
      // Not fatal: the records after the last commit are read again, and the inbox skips them.
      LOG.warn("event consumer {}: final offset commit for {} failed: {}", settings.groupId(), commit.keySet(),
          e.toString());
    }
  }

  /** Stops taking new records, lets the running ones finish (bounded), commits. */
  private void drain() {
    context.runOnContext(v -> abandonWaitingRetries.run());
    long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
    while (inFlight > 0 && System.nanoTime() < deadline) {
      consumer.pause(consumer.assignment());
      // Polling keeps the group membership alive; records it still returns are left unread.
      consumer.poll(POLL_TIMEOUT);
      takeFinished();
    }
    if (inFlight > 0) {
      LOG.warn("event consumer {}: {} records still running after {}; they will be read again",
          settings.groupId(), inFlight, settings.shutdownTimeout());
    }
    commitSync(offsets.keySet());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs inside {@code poll}, on the poll thread. */
  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition partition : partitions) {
        PartitionOffsets tracker = new PartitionOffsets();
        offsets.put(partition, tracker);
        owned.put(partition, tracker);
      }
      if (paused || stopping) {
        consumer.pause(partitions);
      }
    }

    /**
     * The partitions go to another member: their queued records are dropped, the running ones
     * get a bounded moment to finish, and what is done gets committed, so the next owner
     * repeats as little as possible.
     */
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(owned::remove);
      long deadline = System.nanoTime() + Math.min(settings.shutdownTimeout().toNanos(),
          COMMIT_TIMEOUT.toNanos());
      while (outstanding(partitions) > 0 && System.nanoTime() < deadline) {
        try {
          Finished done = finished.poll(50, TimeUnit.MILLISECONDS);
          if (done != null) {
            apply(done);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      commitSync(partitions);
      partitions.forEach(offsets::remove);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Someone else may already own them: committing now could overwrite their progress.
      partitions.forEach(owned::remove);
      partitions.forEach(offsets::remove);
    }

    private int outstanding(Collection<TopicPartition> partitions) {
      int outstanding = 0;
      for (TopicPartition partition : partitions) {
        PartitionOffsets tracker = offsets.get(partition);
        outstanding += tracker == null ? 0 : tracker.outstanding();
      }
      return outstanding;
    }
  }
}
