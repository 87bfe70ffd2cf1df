package io.traceroll.operator.telemetry;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How long the webhook's serving certificate has left, whoever issued it (the operator,
 * cert-manager or OLM): an alert on it catches a rotation that stopped working.
 */
public final class CertificateExpiry {
  public static final String NAME = "traceroll_webhook_certificate_expiry_seconds";

  private CertificateExpiry() {}

  /** Registers the gauge; it reads the certificate being served at each scrape. */
  public static void register(
      MeterRegistry registry, Supplier<X509Certificate> serving, Clock clock) {
    Gauge.builder(NAME, () -> secondsLeft(serving.get(), clock))
        .description(
            "Seconds until the webhook's serving certificate expires (negative once expired; NaN"
                + " before one is loaded)")
        .strongReference(true)
        .register(registry);
  }

  static double secondsLeft(X509Certificate certificate, Clock clock) {
    if (certificate == null) {
      return Double.NaN;
    }
    return Duration.between(clock.instant(), certificate.getNotAfter().toInstant()).toMillis()
        / 1000.0;
  }
}
