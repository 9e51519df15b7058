package dev.berth.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each tag's event was first seen on one channel (Kafka or a webhook endpoint), in {@link System#nanoTime()}.
 * Only the first sighting counts: a redelivered event must not move a latency.
 */
final class Arrivals {

  private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();

  void record(String tag, long nanos) {
    firstSeen.putIfAbsent(tag, nanos);
  }

  Long get(String tag) {
    return firstSeen.get(tag);
  }

  /** How many of the given tags have arrived. */
  int countOf(Iterable<String> tags) {
    int n = 0;
    for (String tag : tags) {
      if (firstSeen.containsKey(tag)) {
        n++;
      }
    }
    return n;
  }
}
