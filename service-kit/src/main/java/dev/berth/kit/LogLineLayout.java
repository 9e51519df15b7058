package dev.berth.kit;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * One line per log event, for logback. {@code format=json} (the default) writes
 * {@code {"ts","level","logger","thread","msg",...key-values,...mdc,"error"}}, which log
 * collectors parse without rules; {@code format=text} writes the same fields for human eyes.
 */
public final class LogLineLayout extends LayoutBase<ILoggingEvent> {

  private boolean json = true;

  /** "json" or "text"; set from logback.xml (env BERTH_LOG_FORMAT). */
  public void setFormat(String format) {
    this.json = !"text".equalsIgnoreCase(format == null ? "" : format.trim());
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    return json ? jsonLine(event) : textLine(event);
  }

  private static String jsonLine(ILoggingEvent event) {
    StringBuilder out = new StringBuilder(256);
    out.append('{');
    field(out, "ts", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(event.getTimeStamp())));
    out.append(',');
    field(out, "level", event.getLevel().toString());
    out.append(',');
    field(out, "logger", event.getLoggerName());
    out.append(',');
    field(out, "thread", event.getThreadName());
    out.append(',');
    field(out, "msg", event.getFormattedMessage());
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        out.append(',');
        quote(out, pair.key);
        out.append(':');
        value(out, pair.value);
      }
    }
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      mdc.forEach((key, value) -> {
        out.append(',');
        field(out, key, value);
      });
    }
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      out.append(',');
      field(out, "error", ThrowableProxyUtil.asString(error));
    }
    return out.append('}').append(CoreConstants.LINE_SEPARATOR).toString();
  }

  private static String textLine(ILoggingEvent event) {
    StringBuilder out = new StringBuilder(256);
    out.append(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(event.getTimeStamp())))
        .append(' ').append(String.format("%-5s", event.getLevel()))
        .append(' ').append(event.getLoggerName())
        .append(" [").append(event.getThreadName()).append("] ")
        .append(event.getFormattedMessage());
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      out.append(CoreConstants.LINE_SEPARATOR).append(ThrowableProxyUtil.asString(error));
    }
    return out.append(CoreConstants.LINE_SEPARATOR).toString();
  }

  private static void field(StringBuilder out, String key, String value) {
    quote(out, key);
    out.append(':');
    if (value == null) {
      out.append("null");
    } else {
      quote(out, value);
    }
  }

  private static void value(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte) {
      out.append(value);
    } else {
      quote(out, String.valueOf(value));
    }
  }

  private static void quote(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
