package dev.berth.kit.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EventCodecTest {

  private static final Event PUSHED = new Event("4f1c", "/berth/registry", "dev.berth.manifest.pushed",
      "library/alpine", Instant.parse("2026-11-27T10:15:30.123456Z"), "application/json",
      new JsonObject().put("digest", "sha256:abc").put("tag", "3.20"));

  @Test
  void writesBinaryModeHeadersKeyAndValue() {
    ProducerRecord<byte[], byte[]> record = EventCodec.toRecord(Topics.REGISTRY_EVENTS, PUSHED);

    assertThat(record.topic()).isEqualTo("berth.registry.events");
    assertThat(text(record.key())).isEqualTo("library/alpine");
    assertThat(new JsonObject(text(record.value()))).isEqualTo(PUSHED.data());
    Headers headers = record.headers();
    assertThat(header(headers, "ce_specversion")).isEqualTo("1.0");
    assertThat(header(headers, "ce_id")).isEqualTo("4f1c");
    assertThat(header(headers, "ce_source")).isEqualTo("/berth/registry");
    assertThat(header(headers, "ce_type")).isEqualTo("dev.berth.manifest.pushed");
    assertThat(header(headers, "ce_subject")).isEqualTo("library/alpine");
    assertThat(header(headers, "ce_time")).isEqualTo("2026-11-27T10:15:30.123456Z");
    assertThat(header(headers, "content-type")).isEqualTo("application/json");
  }

  @Test
  void decodesWhatItEncodes() {
    ProducerRecord<byte[], byte[]> record = EventCodec.toRecord("t", PUSHED);
    assertThat(EventCodec.decode(record.headers(), record.value())).isEqualTo(PUSHED);
  }

  @Test
  void acceptsOptionalAttributesMissingAndAnyRfc3339Offset() {
    Headers headers = new RecordHeaders();
    add(headers, "ce_specversion", "1.0");
    add(headers, "ce_id", "1");
    add(headers, "ce_source", "/elsewhere");
    add(headers, "ce_type", "dev.berth.node.lost");
    add(headers, "ce_time", "2026-11-27T11:15:30+01:00");

    Event event = EventCodec.decode(headers, "{}".getBytes(StandardCharsets.UTF_8));

    assertThat(event.subject()).isNull();
    assertThat(event.time()).isEqualTo(Instant.parse("2026-11-27T10:15:30Z"));
    assertThat(event.dataContentType()).isEqualTo("application/json");
    assertThat(EventCodec.key(event)).isNull();
  }

  @Test
  void rejectsRecordsThatAreNotBerthEvents() {
    Headers noSpec = new RecordHeaders();
    add(noSpec, "ce_id", "1");
    assertThatThrownBy(() -> EventCodec.decode(noSpec, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ce_specversion is missing");

    Headers good = EventCodec.headers(PUSHED);
    assertThatThrownBy(() -> EventCodec.decode(good, "[1,2]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON object");

    Headers badTime = EventCodec.headers(PUSHED);
    add(badTime, "ce_time", "yesterday");
    assertThatThrownBy(() -> EventCodec.decode(badTime, "{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RFC 3339");
  }

  @Test
  void eventTypesFollowTheBerthNounVerbShape() {
    assertThat(Event.of("/berth/registry", "dev.berth.tag.deleted", "a/b", null).data()).isEqualTo(new JsonObject());
    assertThatThrownBy(() -> Event.of("/berth/registry", "manifest.pushed", "a/b", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dev.berth.<noun>.<verb>");
    assertThatThrownBy(() -> new Event("1", "/s", "dev.berth.a.b", null, null, "text/plain", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON");
  }

  @Test
  void deadLettersGoToTheTopicWithADlqSuffix() {
    assertThat(Topics.deadLetters(Topics.REGISTRY_EVENTS)).isEqualTo("berth.registry.events.dlq");
  }

  private static void add(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String header(Headers headers, String name) {
    return text(headers.lastHeader(name).value());
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
