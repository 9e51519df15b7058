package dev.berth.kit.events;

/**
 * Headers an {@link EventConsumer} adds to a record it moves to {@code <topic>.dlq}, next to the
 * record's own key, value and headers (kept as they were). Values are UTF-8 strings.
 */
public final class DeadLetterHeaders {

  /** Fully qualified class name of the last failure. */
  public static final String EXCEPTION_CLASS = "berth.dlq.exception.class";
  /** Message of the last failure, cut to 4096 characters. */
  public static final String EXCEPTION_MESSAGE = "berth.dlq.exception.message";
  public static final String ORIGINAL_TOPIC = "berth.dlq.original.topic";
  public static final String ORIGINAL_PARTITION = "berth.dlq.original.partition";
  public static final String ORIGINAL_OFFSET = "berth.dlq.original.offset";
  /** How often the handler ran; 0 when the record could not even be decoded into an event. */
  public static final String ATTEMPTS = "berth.dlq.attempts";
  /** The consumer group that gave up. */
  public static final String CONSUMER_GROUP = "berth.dlq.consumer.group";

  private DeadLetterHeaders() {}
}
