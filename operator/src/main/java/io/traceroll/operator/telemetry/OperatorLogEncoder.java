package io.traceroll.operator.telemetry;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;

/**
 * The operator's log format, chosen in logback.xml from TRACEROLL_LOG_FORMAT: {@code json} (the
 * default, one {@link JsonLogLine} per event, for log pipelines) or {@code text} (the pattern, for
 * people reading a terminal).
 */
public final class OperatorLogEncoder extends EncoderBase<ILoggingEvent> {
  private String format = "json";
  private String pattern = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} %msg%n";
  private PatternLayoutEncoder text;

  public void setFormat(String format) {
    this.format = format;
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** Whether lines come out as JSON (after start). */
  public boolean json() {
    return text == null;
  }

  @Override
  public void start() {
    String chosen = format == null ? "json" : format.trim().toLowerCase(Locale.ROOT);
    if (chosen.equals("text")) {
      text = new PatternLayoutEncoder();
      text.setContext(getContext());
      text.setPattern(pattern);
      text.start();
    } else if (!chosen.equals("json")) {
      addWarn("log format '" + format + "' is neither json nor text; writing json");
    }
    super.start();
  }

  @Override
  public void stop() {
    if (text != null) {
      text.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return text != null ? text.encode(event) : JsonLogLine.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
