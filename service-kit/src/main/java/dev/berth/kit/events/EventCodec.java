package dev.berth.kit.events;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * CloudEvents 1.0 Kafka protocol binding, binary content mode: every attribute is a {@code ce_*}
 * header, {@code datacontenttype} is the {@code content-type} header, the value is the data as
 * JSON, and the key is the subject.
 */
public final class EventCodec {

  public static final String ID = "ce_id";
  public static final String SOURCE = "ce_source";
  public static final String TYPE = "ce_type";
  public static final String SPEC_VERSION = "ce_specversion";
  public static final String SUBJECT = "ce_subject";
  public static final String TIME = "ce_time";
  public static final String CONTENT_TYPE = "content-type";

  private EventCodec() {}

  /** The record for {@code event} on {@code topic}, keyed by its subject. */
  public static ProducerRecord<byte[], byte[]> toRecord(String topic, Event event) {
    return new ProducerRecord<>(topic, null, key(event), value(event), headers(event));
  }

  public static byte[] key(Event event) {
    return event.subject() == null ? null : utf8(event.subject());
  }

  public static byte[] value(Event event) {
    return event.data().toBuffer().getBytes();
  }

  public static Headers headers(Event event) {
    Headers headers = new RecordHeaders();
    headers.add(SPEC_VERSION, utf8(Event.SPEC_VERSION));
    headers.add(ID, utf8(event.id()));
    headers.add(SOURCE, utf8(event.source()));
    headers.add(TYPE, utf8(event.type()));
    if (event.subject() != null) {
      headers.add(SUBJECT, utf8(event.subject()));
    }
    if (event.time() != null) {
      headers.add(TIME, utf8(DateTimeFormatter.ISO_INSTANT.format(event.time())));
    }
    headers.add(CONTENT_TYPE, utf8(event.dataContentType()));
    return headers;
  }

  /**
   * The event carried by a record's headers and value.
   *
   * @throws IllegalArgumentException when the record is not a CloudEvents 1.0 event with JSON data
   */
  public static Event decode(Headers headers, byte[] value) {
    String specVersion = last(headers, SPEC_VERSION);
    if (!Event.SPEC_VERSION.equals(specVersion)) {
      throw new IllegalArgumentException("not a CloudEvents " + Event.SPEC_VERSION + " record: "
          + SPEC_VERSION + " is " + (specVersion == null ? "missing" : "'" + specVersion + "'"));
    }
    String contentType = last(headers, CONTENT_TYPE);
    if (contentType != null && !Event.isJson(contentType)) {
      throw new IllegalArgumentException("event data is not JSON but " + contentType);
    }
    JsonObject data;
    try {
      data = value == null || value.length == 0 ? new JsonObject() : new JsonObject(Buffer.buffer(value));
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("event data is not a JSON object: " + e.getMessage(), e);
    }
    return new Event(last(headers, ID), last(headers, SOURCE), last(headers, TYPE),
        last(headers, SUBJECT), time(last(headers, TIME)), contentType, data);
  }

  private static Instant time(String text) {
    if (text == null) {
      return null;
    }
    try {
      // RFC 3339 allows any offset, not only Z.
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("ce_time is not an RFC 3339 timestamp: '" + text + "'", e);
    }
  }

  private static String last(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
