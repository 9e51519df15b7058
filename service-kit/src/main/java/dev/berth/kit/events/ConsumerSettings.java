package dev.berth.kit.events;

import java.time.Duration;
import java.util.Map;

/** What {@link EventConsumer.Builder} collected; see the builder for each setting's meaning. */
record ConsumerSettings(
    String bootstrapServers,
    String groupId,
    String topic,
    int maxInFlight,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration shutdownTimeout,
    Map<String, Object> kafkaOverrides) {

  /** The wait before attempt {@code attempt + 1}: doubling from the initial backoff, capped. */
  long backoffMillis(int attempt) {
    long max = maxBackoff.toMillis();
    long delay = Math.min(initialBackoff.toMillis(), max);
    for (int i = 1; i < attempt && delay < max; i++) {
      delay = Math.min(delay * 2, max);
    }
    return delay;
  }
}
