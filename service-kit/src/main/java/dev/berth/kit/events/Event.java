package dev.berth.kit.events;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A CloudEvents 1.0 event as Berth services exchange it.
 *
 * @param id unique per {@code source}; consumers deduplicate on it
 * @param source the producing service, a URI reference such as {@code /berth/registry}
 * @param type {@code dev.berth.<noun>.<verb>}, e.g. {@code dev.berth.manifest.pushed}
 * @param subject what the event is about: the repository for registry events, and the Kafka key
 *     (so all events of one repository stay in order on one partition); may be null
 * @param time when it happened; may be null
 * @param dataContentType the media type of {@code data}, always JSON here
 * @param data the payload
 */
public record Event(
    String id,
    String source,
    String type,
    String subject,
    Instant time,
    String dataContentType,
    JsonObject data) {

  public static final String SPEC_VERSION = "1.0";
  public static final String JSON = "application/json";

  private static final Pattern TYPE = Pattern.compile("dev\\.berth\\.[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*");

  public Event {
    requireText(id, "id");
    requireText(source, "source");
    requireText(type, "type");
    if (!TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("event type must look like dev.berth.<noun>.<verb>, got '" + type + "'");
    }
    if (subject != null && subject.isEmpty()) {
      throw new IllegalArgumentException("event subject must not be empty (null when there is none)");
    }
    dataContentType = dataContentType == null ? JSON : dataContentType;
    if (!isJson(dataContentType)) {
      throw new IllegalArgumentException("event data must be JSON, got content type '" + dataContentType + "'");
    }
    data = data == null ? new JsonObject() : data;
  }

  /** A new event with a random id, happening now (microsecond precision, as PostgreSQL keeps it). */
  public static Event of(String source, String type, String subject, JsonObject data) {
    return new Event(UUID.randomUUID().toString(), source, type, subject,
        Instant.now().truncatedTo(ChronoUnit.MICROS), JSON, data);
  }

  /** {@code application/json}, with parameters or as a {@code +json} suffix. */
  static boolean isJson(String contentType) {
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return mediaType.equals(JSON) || mediaType.endsWith("+json");
  }

  private static void requireText(String value, String name) {
    if (Objects.requireNonNull(value, () -> "event " + name + " is required").isBlank()) {
      throw new IllegalArgumentException("event " + name + " must not be blank");
    }
  }
}
