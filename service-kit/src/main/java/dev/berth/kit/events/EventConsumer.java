package dev.berth.kit.events;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumes the events of one topic for one role (the Kafka consumer group), at least once, and
 * with an {@link Inbox} effectively once:
 *
 * <ul>
 *   <li>The handler runs on the Vert.x context that called {@link #start()}. Events of one key
 *       (repository) on a partition reach it one at a time in order; other keys run concurrently.
 *   <li>Offsets are committed by hand, only up to the highest offset below which every record
 *       is done, so a crash never skips an unfinished record.
 *   <li>When more than {@code maxInFlight} records are unfinished, fetching pauses until half of
 *       them are done.
 *   <li>A failing handler is retried {@code maxAttempts} times in all, waiting
 *       {@code initialBackoff} and doubling up to {@code maxBackoff}; then the record goes to
 *       {@code <topic>.dlq} with {@link DeadLetterHeaders} and the key moves on. A record that
 *       is not a valid event goes there straight away.
 * </ul>
 *
 * <p>The Kafka client runs on a dedicated thread (it blocks and is not thread-safe); records
 * cross to the event loop in batches and come back through a queue.
 */
public final class EventConsumer {

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final Vertx vertx;
  private final ConsumerSettings settings;
  private final Inbox inbox;
  private final BiFunction<Event, SqlConnection, Future<Void>> handler;
  private PollLoop loop;
  private KafkaSender deadLetters;
  private Future<Void> stopped;

  private EventConsumer(Vertx vertx, ConsumerSettings settings, Inbox inbox,
      BiFunction<Event, SqlConnection, Future<Void>> handler) {
    this.vertx = vertx;
    this.settings = settings;
    this.inbox = inbox;
    this.handler = handler;
  }

  /**
   * @param groupId the role, e.g. {@code scanner}: every instance of a role shares the work, and
   *     each role sees every event
   */
  public static Builder builder(Vertx vertx, String bootstrapServers, String groupId, String topic) {
    return new Builder(vertx, bootstrapServers, groupId, topic);
  }

  public String groupId() {
    return settings.groupId();
  }

  public String topic() {
    return settings.topic();
  }

  /**
   * Creates the inbox table (when there is an inbox), joins the group and starts consuming.
   * Completes once the consumer runs; partitions get assigned shortly after.
   */
  public synchronized Future<Void> start() {
    if (loop != null) {
      return Future.failedFuture(new IllegalStateException("event consumer " + groupId() + " already started"));
    }
    Context context = vertx.getOrCreateContext();
    String name = settings.groupId() + "-" + COUNTER.incrementAndGet();
    Future<Void> ready = inbox == null ? Future.succeededFuture() : inbox.createTable();
    return ready
        // Both clients resolve the bootstrap host names when built: off the event loop.
        .compose(v -> vertx.executeBlocking(() -> {
          KafkaSender sender = new KafkaSender(vertx, settings.bootstrapServers(), name + "-dlq", settings.kafkaOverrides());
          try {
            return Map.entry(sender, new KafkaConsumer<>(consumerConfig(name),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()));
          } catch (RuntimeException e) {
            sender.close(Duration.ZERO);
            throw e;
          }
        }))
        .map(clients -> {
          startLoop(context, name, clients.getKey(), clients.getValue());
          return null;
        });
  }

  private synchronized void startLoop(Context context, String name, KafkaSender sender,
      KafkaConsumer<byte[], byte[]> consumer) {
    deadLetters = sender;
    RecordDispatcher[] dispatcher = new RecordDispatcher[1];
    loop = new PollLoop(settings, consumer, context, delivery -> dispatcher[0].accept(delivery),
        () -> dispatcher[0].abandonWaitingRetries());
    dispatcher[0] = new RecordDispatcher(vertx, context, settings, inbox, handler, sender, loop::stillOwned, loop::finished);
    Promise<Void> done = Promise.promise();
    Thread thread = new Thread(() -> {
      try {
        loop.run();
      } finally {
        context.runOnContext(v -> done.complete());
      }
    }, "berth-events-" + name);
    thread.setDaemon(true);
    thread.start();
    stopped = done.future().compose(v -> sender.close(Duration.ofSeconds(10)));
  }

  /**
   * Stops fetching, gives up retries that wait, lets running handlers finish (up to
   * {@code shutdownTimeout}), commits what is done and leaves the group. Unfinished records are
   * read again by the next member.
   */
  public synchronized Future<Void> stop() {
    if (loop == null) {
      return Future.succeededFuture();
    }
    loop.stop();
    return stopped;
  }

  private Map<String, Object> consumerConfig(String clientId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A role that starts for the first time handles the events already waiting for it.
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(settings.maxInFlight(), 500));
    // A member joining or leaving moves only the partitions that change hands; the others keep
    // running instead of all being revoked and drained.
    config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    // Events written by a transactional producer count only once committed.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.putAll(settings.kafkaOverrides());
    return config;
  }

  /** Settings with defaults that suit a service; only the handler is required. */
  public static final class Builder {

    private final Vertx vertx;
    private final String bootstrapServers;
    private final String groupId;
    private final String topic;
    private int maxInFlight = 256;
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private final Map<String, Object> kafkaOverrides = new HashMap<>();
    private Inbox inbox;
    private BiFunction<Event, SqlConnection, Future<Void>> handler;

    private Builder(Vertx vertx, String bootstrapServers, String groupId, String topic) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      this.bootstrapServers = requireText(bootstrapServers, "bootstrapServers");
      this.groupId = requireText(groupId, "groupId");
      this.topic = requireText(topic, "topic");
    }

    /**
     * The handler; its returned Future says the event is done (succeeded) or failed (retried).
     * With {@link #inbox(Inbox)} it runs at most once per event id, without it at least once.
     */
    public Builder handler(Function<Event, Future<Void>> handler) {
      Objects.requireNonNull(handler, "handler");
      this.handler = (event, connection) -> handler.apply(event);
      return this;
    }

    /**
     * A handler that writes its effect through the given connection, inside the transaction
     * that also claims the event in {@code inbox}: its writes happen exactly once per event id.
     */
    public Builder transactionalHandler(Inbox inbox, BiFunction<Event, SqlConnection, Future<Void>> handler) {
      this.inbox = Objects.requireNonNull(inbox, "inbox");
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Skips events this group has already processed (see {@link Inbox} for the contract). */
    public Builder inbox(Inbox inbox) {
      this.inbox = Objects.requireNonNull(inbox, "inbox");
      return this;
    }

    /** Unfinished records above which fetching pauses. Default 256. */
    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = requirePositive(maxInFlight, "maxInFlight");
      return this;
    }

    /** How often the handler runs for one event before it goes to the dead letters. Default 5. */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = requirePositive(maxAttempts, "maxAttempts");
      return this;
    }

    /** First wait between attempts, doubled each time up to {@code max}. Default 200 ms, 30 s. */
    public Builder backoff(Duration initial, Duration max) {
      if (initial.isNegative() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("backoff needs 0 <= initial <= max, got " + initial + ", " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** How long {@link #stop()} waits for running handlers. Default 30 s. */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** A Kafka consumer or producer setting that wins over ours (both clients get it). */
    public Builder kafkaProperty(String key, Object value) {
      kafkaOverrides.put(key, value);
      return this;
    }

    public EventConsumer build() {
      if (handler == null) {
        throw new IllegalStateException("an event consumer needs a handler");
      }
      ConsumerSettings settings = new ConsumerSettings(bootstrapServers, groupId, topic, maxInFlight,
          maxAttempts, initialBackoff, maxBackoff, shutdownTimeout, Map.copyOf(kafkaOverrides));
      return new EventConsumer(vertx, settings, inbox, handler);
    }

    private static String requireText(String value, String name) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " is required");
      }
      return value;
    }

    private static int requirePositive(int value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, got " + value);
      }
      return value;
    }
  }
}
