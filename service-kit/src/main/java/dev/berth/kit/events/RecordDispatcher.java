package dev.berth.kit.events;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-loop half of {@link EventConsumer}: runs the handler for each record, retries with
 * backoff, moves what keeps failing to the dead letter topic, and reports every record back.
 *
 * <p>Records with the same key (the same repository) on a partition run one after the other, in
 * offset order, so a consumer sees one repository's events in the order they happened; records
 * with different keys run concurrently. A record that is retried holds up its own key only.
 *
 * <p>Confined to one Vert.x context: no locks, and the handler runs on that context.
 */
final class RecordDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(RecordDispatcher.class);
  private static final int MAX_ERROR_MESSAGE = 4096;

  /** Hears about every record that comes back; called on the dispatcher's context. */
  interface Finished {
    void finished(Delivery delivery, boolean processed);
  }

  /** Same partition and key; a record without a key is a lane of its own. */
  private record Lane(TopicPartition partition, ByteBuffer key, long unkeyedOffset) {
    static Lane of(Delivery delivery) {
      byte[] key = delivery.record().key();
      return key == null
          ? new Lane(delivery.partition(), null, delivery.record().offset())
          : new Lane(delivery.partition(), ByteBuffer.wrap(key), -1);
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final ConsumerSettings settings;
  private final Inbox inbox;
  private final BiFunction<Event, SqlConnection, Future<Void>> handler;
  private final KafkaSender deadLetters;
  private final Predicate<Delivery> stillOwned;
  private final Finished finished;
  private final Map<Lane, ArrayDeque<Delivery>> lanes = new HashMap<>();
  // Retries waiting for their timer, so a shutdown can give them up at once instead of waiting.
  private final Map<Long, Promise<Boolean>> waitingRetries = new HashMap<>();

  RecordDispatcher(Vertx vertx, Context context, ConsumerSettings settings, Inbox inbox,
      BiFunction<Event, SqlConnection, Future<Void>> handler, KafkaSender deadLetters,
      Predicate<Delivery> stillOwned, Finished finished) {
    this.vertx = vertx;
    this.context = context;
    this.settings = settings;
    this.inbox = inbox;
    this.handler = handler;
    this.deadLetters = deadLetters;
    this.stillOwned = stillOwned;
    this.finished = finished;
  }

  void accept(Delivery delivery) {
    Lane lane = Lane.of(delivery);
    ArrayDeque<Delivery> queue = lanes.computeIfAbsent(lane, k -> new ArrayDeque<>());
    queue.addLast(delivery);
    if (queue.size() == 1) {
      run(lane, delivery);
    }
  }

  /** Gives up every retry that waits for its timer; the records are read again later. */
  void abandonWaitingRetries() {
    List<Long> timers = new ArrayList<>(waitingRetries.keySet());
    for (Long timer : timers) {
      vertx.cancelTimer(timer);
      waitingRetries.remove(timer).tryComplete(false);
    }
  }

  private void run(Lane lane, Delivery delivery) {
    process(delivery).onComplete(result -> {
      if (result.failed()) {
        // Only a bug gets here (every path recovers); the record is read again after a restart.
        LOG.error("event consumer {} failed on {}-{}@{}", settings.groupId(), delivery.partition().topic(),
            delivery.partition().partition(), delivery.record().offset(), result.cause());
      }
      finished.finished(delivery, result.succeeded() && result.result());
      ArrayDeque<Delivery> queue = lanes.get(lane);
      queue.pollFirst();
      if (queue.isEmpty()) {
        lanes.remove(lane);
      } else {
        // Through the context, not directly: a long run of records that finish at once would
        // otherwise nest one call per record.
        Delivery next = queue.peekFirst();
        context.runOnContext(v -> run(lane, next));
      }
    });
  }

  /** True once the record is done with (handled or dead-lettered); false when abandoned. */
  private Future<Boolean> process(Delivery delivery) {
    if (!stillOwned.test(delivery)) {
      return Future.succeededFuture(false);
    }
    Event event;
    try {
      event = EventCodec.decode(delivery.record().headers(), delivery.record().value());
    } catch (IllegalArgumentException e) {
      return deadLetter(delivery, e, 0);
    }
    return attempt(delivery, event, 1);
  }

  private Future<Boolean> attempt(Delivery delivery, Event event, int attempt) {
    return onOurContext(handle(event)).transform(result -> {
      if (result.succeeded()) {
        return Future.succeededFuture(true);
      }
      if (attempt >= settings.maxAttempts()) {
        return deadLetter(delivery, result.cause(), attempt);
      }
      long delay = settings.backoffMillis(attempt);
      LOG.info("event {} ({}) failed in consumer {} (attempt {} of {}), retrying in {} ms: {}", event.id(),
          event.type(), settings.groupId(), attempt, settings.maxAttempts(), delay, describe(result.cause()));
      return later(delay, delivery, () -> attempt(delivery, event, attempt + 1));
    });
  }

  /**
   * A handler may complete its Future on any thread (another context, a client's callback);
   * what follows must run on ours, where this class's state lives.
   */
  private <T> Future<T> onOurContext(Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> {
      if (Vertx.currentContext() == context) {
        promise.handle(result);
      } else {
        context.runOnContext(v -> promise.handle(result));
      }
    });
    return promise.future();
  }

  private Future<Void> handle(Event event) {
    if (inbox == null) {
      return invoke(event, null);
    }
    return inbox.pool().withTransaction(connection -> inbox.claim(connection, settings.groupId(), event)
        .compose(first -> {
          if (!first) {
            LOG.debug("event {} already processed by {}, skipped", event.id(), settings.groupId());
            return Future.succeededFuture();
          }
          return invoke(event, connection);
        }));
  }

  private Future<Void> invoke(Event event, SqlConnection connection) {
    try {
      Future<Void> result = handler.apply(event, connection);
      return result != null ? result
          : Future.failedFuture(new IllegalStateException("the event handler returned null instead of a Future"));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Boolean> deadLetter(Delivery delivery, Throwable error, int attempts) {
    ConsumerRecord<byte[], byte[]> record = delivery.record();
    String topic = Topics.deadLetters(record.topic());
    LOG.warn("consumer {} gives up on {}-{}@{} (ce_id {}) after {} attempts, moving it to {}: {}",
        settings.groupId(), record.topic(), record.partition(), record.offset(), header(record.headers()),
        attempts, topic, describe(error));
    Headers headers = new RecordHeaders();
    for (Header header : record.headers()) {
      headers.add(header);
    }
    headers.add(DeadLetterHeaders.EXCEPTION_CLASS, utf8(error.getClass().getName()));
    headers.add(DeadLetterHeaders.EXCEPTION_MESSAGE, utf8(truncate(String.valueOf(error.getMessage()))));
    headers.add(DeadLetterHeaders.ORIGINAL_TOPIC, utf8(record.topic()));
    headers.add(DeadLetterHeaders.ORIGINAL_PARTITION, utf8(Integer.toString(record.partition())));
    headers.add(DeadLetterHeaders.ORIGINAL_OFFSET, utf8(Long.toString(record.offset())));
    headers.add(DeadLetterHeaders.ATTEMPTS, utf8(Integer.toString(attempts)));
    headers.add(DeadLetterHeaders.CONSUMER_GROUP, utf8(settings.groupId()));
    return sendDeadLetter(delivery, new ProducerRecord<>(topic, null, record.key(), record.value(), headers), 1);
  }

  // The partition may only move on once the dead letter is stored, so this keeps trying.
  private Future<Boolean> sendDeadLetter(Delivery delivery, ProducerRecord<byte[], byte[]> record, int attempt) {
    return deadLetters.send(record).transform(result -> {
      if (result.succeeded()) {
        return Future.succeededFuture(true);
      }
      long delay = settings.backoffMillis(attempt);
      LOG.warn("could not write to {} (attempt {}), retrying in {} ms: {}", record.topic(), attempt, delay,
          describe(result.cause()));
      return later(delay, delivery, () -> sendDeadLetter(delivery, record, attempt + 1));
    });
  }

  /** Runs {@code next} after {@code delayMillis}, unless the record is given up meanwhile. */
  private Future<Boolean> later(long delayMillis, Delivery delivery,
      Supplier<Future<Boolean>> next) {
    Promise<Boolean> promise = Promise.promise();
    long timer = vertx.setTimer(delayMillis, id -> {
      waitingRetries.remove(id);
      if (stillOwned.test(delivery)) {
        next.get().onComplete(promise);
      } else {
        promise.tryComplete(false);
      }
    });
    waitingRetries.put(timer, promise);
    return promise.future();
  }

  private static String header(Headers headers) {
    Header id = headers.lastHeader(EventCodec.ID);
    return id == null || id.value() == null ? "none" : new String(id.value(), StandardCharsets.UTF_8);
  }

  private static String describe(Throwable error) {
    return error.getClass().getSimpleName() + ": " + error.getMessage();
  }

  private static String truncate(String text) {
    return text.length() <= MAX_ERROR_MESSAGE ? text : text.substring(0, MAX_ERROR_MESSAGE);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
