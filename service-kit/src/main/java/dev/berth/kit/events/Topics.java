package dev.berth.kit.events;

/** Kafka topic names shared by every service. */
public final class Topics {

  /** Registry push and delete events, key = repository. */
  public static final String REGISTRY_EVENTS = "berth.registry.events";

  private static final String DEAD_LETTER_SUFFIX = ".dlq";

  private Topics() {}

  /** Where a consumer puts records of {@code topic} it gave up on: {@code <topic>.dlq}. */
  public static String deadLetters(String topic) {
    return topic + DEAD_LETTER_SUFFIX;
  }
}
