package dev.berth.kit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

class LogLineLayoutTest {

  private static LoggingEvent event() {
    // The live context: events read the MDC through it.
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LoggingEvent event = new LoggingEvent("x", context.getLogger("dev.berth.demo"), Level.WARN,
        "pushed {} to \"{}\"\nnext line", new IllegalStateException("boom"), new Object[] {3, "repo/a"});
    event.setKeyValuePairs(List.of(new KeyValuePair("status", 201), new KeyValuePair("path", "/v2/")));
    return event;
  }

  @Test
  void writesOneParsableJsonLinePerEvent() {
    LogLineLayout layout = new LogLineLayout();
    layout.setFormat("json");

    String line = layout.doLayout(event());

    assertThat(line).endsWith(System.lineSeparator());
    assertThat(line.strip()).doesNotContain("\n");
    JsonObject json = new JsonObject(line);
    assertThat(json.getString("level")).isEqualTo("WARN");
    assertThat(json.getString("logger")).isEqualTo("dev.berth.demo");
    assertThat(json.getString("msg")).isEqualTo("pushed 3 to \"repo/a\"\nnext line");
    assertThat(json.getInteger("status")).isEqualTo(201);
    assertThat(json.getString("path")).isEqualTo("/v2/");
    assertThat(json.getString("error")).contains("IllegalStateException: boom");
    assertThat(json.getString("ts")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void textFormatIsForHumans() {
    LogLineLayout layout = new LogLineLayout();
    layout.setFormat("text");

    String text = layout.doLayout(event());

    assertThat(text).contains("WARN  dev.berth.demo").contains("pushed 3 to \"repo/a\"").contains("boom");
  }
}
