package io.traceroll.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traceroll.webhook.AdmissionHandler.Outcome;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdmissionTelemetryTest {
  final PrometheusMeterRegistry registry = OperatorMetrics.create();
  final AdmissionTelemetry telemetry = new AdmissionTelemetry(registry);

  @Test
  void countsAdmissionsByResultWithEveryResultPresentFromTheStart() {
    Scrape before = Scrape.of(registry.scrape());
    for (String result :
        new String[] {"injected", "unchanged", "skipped", "failed_open", "bad_request"}) {
      assertThat(before.value("traceroll_admissions_total", "result=\"" + result + "\"")).isZero();
    }
    assertThat(before.help("traceroll_admissions_total")).contains("failed_open");

    telemetry.admitted("shop", Outcome.INJECTED, 80_000);
    telemetry.admitted("shop", Outcome.INJECTED, 90_000);
    telemetry.admitted("shop", Outcome.FAILED_OPEN, 90_000);
    telemetry.admitted(null, Outcome.BAD_REQUEST, 10_000);

    Scrape after = Scrape.of(registry.scrape());
    assertThat(after.value("traceroll_admissions_total", "result=\"injected\"")).isEqualTo(2);
    assertThat(after.value("traceroll_admissions_total", "result=\"failed_open\"")).isEqualTo(1);
    assertThat(after.value("traceroll_admissions_total", "result=\"bad_request\"")).isEqualTo(1);
    assertThat(after.value("traceroll_admissions_total", "result=\"skipped\"")).isZero();
  }

  @Test
  void latencyIsAHistogramInSecondsResolvingSubMillisecondAnswersUpToThreeSeconds() {
    telemetry.admitted("shop", Outcome.INJECTED, TimeUnit.MICROSECONDS.toNanos(60));
    telemetry.admitted("shop", Outcome.SKIPPED, TimeUnit.MICROSECONDS.toNanos(300));
    telemetry.admitted("shop", Outcome.INJECTED, TimeUnit.MILLISECONDS.toNanos(2));
    telemetry.admitted("shop", Outcome.INJECTED, TimeUnit.SECONDS.toNanos(5));

    Scrape scrape = Scrape.of(registry.scrape());
    String bucket = "traceroll_admission_duration_seconds_bucket";
    assertThat(scrape.value(bucket, "le=\"1.0E-4\"")).isEqualTo(1);
    assertThat(scrape.value(bucket, "le=\"5.0E-4\"")).isEqualTo(2);
    assertThat(scrape.value(bucket, "le=\"0.0025\"")).isEqualTo(3);
    assertThat(scrape.value(bucket, "le=\"3.0\"")).isEqualTo(3);
    assertThat(scrape.value(bucket, "le=\"+Inf\"")).isEqualTo(4);
    assertThat(scrape.value("traceroll_admission_duration_seconds_count")).isEqualTo(4);
    assertThat(scrape.value("traceroll_admission_duration_seconds_sum"))
        .isCloseTo(5.00236, within());
    assertThat(scrape.series().keySet().stream().filter(s -> s.startsWith(bucket)))
        .hasSize(AdmissionTelemetry.BUCKETS.length + 1);
  }

  static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-6);
  }
}
