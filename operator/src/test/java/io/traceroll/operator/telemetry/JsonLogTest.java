package io.traceroll.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.traceroll.webhook.AdmissionHandler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class JsonLogTest {
  static final ObjectMapper JSON = new ObjectMapper();

  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  Logger logger;
  OutputStreamAppender<ILoggingEvent> appender;

  @BeforeEach
  void captureOneLogger() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    OperatorLogEncoder encoder = new OperatorLogEncoder();
    encoder.setContext(context);
    encoder.start();
    appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    logger = context.getLogger("io.traceroll.operator.test.JsonLog");
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
    logger.addAppender(appender);
  }

  @AfterEach
  void release() {
    logger.detachAppender(appender);
    appender.stop();
  }

  @Test
  void aLineLoggedInsideAReconcileSpanCarriesItsTraceIdSpanIdAndThePolicy() throws Exception {
    try (InMemoryTracing memory = new InMemoryTracing()) {
      PolicyTelemetry telemetry =
          new PolicyTelemetry(new RolloutMetrics(OperatorMetrics.create()), memory.tracing);
      try (PolicyTelemetry.Work work = telemetry.start("reconcile", PolicyTelemetryTest.policy())) {
        logger.info("policy {} Ready=True", "observability/default");
      }
      logger.info("after the reconcile");

      SpanData span = memory.spans("reconcile").get(0);
      List<JsonNode> lines = lines();
      JsonNode inside = lines.get(0);
      assertThat(inside.path("trace_id").asText()).isEqualTo(span.getTraceId());
      assertThat(inside.path("span_id").asText()).isEqualTo(span.getSpanId());
      assertThat(inside.path("policy_namespace").asText()).isEqualTo("observability");
      assertThat(inside.path("policy_name").asText()).isEqualTo("default");
      assertThat(inside.path("message").asText())
          .isEqualTo("policy observability/default Ready=True");
      assertThat(inside.path("level").asText()).isEqualTo("INFO");
      assertThat(inside.path("logger").asText()).isEqualTo("io.traceroll.operator.test.JsonLog");
      assertThat(inside.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
      assertThat(Instant.parse(inside.path("timestamp").asText()))
          .isBetween(Instant.now().minusSeconds(60), Instant.now());

      JsonNode after = lines.get(1);
      assertThat(after.has("trace_id")).isFalse();
      assertThat(after.has("policy_name")).isFalse();
    }
  }

  @Test
  void anAdmissionsLogLineCarriesTheAdmissionSpansTraceId() throws Exception {
    try (InMemoryTracing memory = new InMemoryTracing()) {
      AdmissionTelemetry telemetry =
          new AdmissionTelemetry(OperatorMetrics.create(), memory.tracing);
      try (var scope = telemetry.started()) {
        logger.warn("admission uid-1 failed open: boom");
        telemetry.admitted("shop", AdmissionHandler.Outcome.FAILED_OPEN, 1);
      }
      assertThat(lines().get(0).path("trace_id").asText())
          .isEqualTo(memory.spans("admission").get(0).getTraceId());
    }
  }

  @Test
  void anExceptionStaysOnTheEventsOneLine() throws Exception {
    logger.error("reconcile failed", new IllegalStateException("line one\nline two"));

    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text.chars().filter(c -> c == '\n')).hasSize(1);
    JsonNode line = lines().get(0);
    assertThat(line.path("exception").asText())
        .startsWith("java.lang.IllegalStateException: line one\nline two")
        .contains("at io.traceroll.operator.telemetry.JsonLogTest");
  }

  @Test
  void theJarsLogbackConfigurationWritesJsonUnlessToldText() throws Exception {
    assumeTrue(System.getenv("TRACEROLL_LOG_FORMAT") == null, "TRACEROLL_LOG_FORMAT is set here");
    assertThat(jarConfiguration(null).json()).isTrue();
    assertThat(jarConfiguration("text").json()).isFalse();
    assertThat(jarConfiguration("TEXT").json()).isFalse();
    assertThat(jarConfiguration("yaml").json()).isTrue(); // unknown: JSON, with a warning
  }

  /** The encoder src/main/resources/logback.xml gives stdout, with this TRACEROLL_LOG_FORMAT. */
  static OperatorLogEncoder jarConfiguration(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    if (format != null) {
      context.putProperty("TRACEROLL_LOG_FORMAT", format);
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(JsonLogTest.class.getResource("/logback.xml"));
    var appender =
        (OutputStreamAppender<ILoggingEvent>)
            context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    try {
      return (OperatorLogEncoder) appender.getEncoder();
    } finally {
      context.stop();
    }
  }

  List<JsonNode> lines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }
}
