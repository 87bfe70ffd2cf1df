package io.traceroll.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traceroll.webhook.tls.CertificateAuthority;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateExpiryTest {
  final PrometheusMeterRegistry registry = OperatorMetrics.create();
  final ReloadingKeyManager keys = new ReloadingKeyManager();

  @Test
  void reportsSecondsUntilTheServedCertificateExpiresAndFollowsARotation() {
    CertificateAuthority.Issued ca = CertificateAuthority.newCa("test-ca", Duration.ofDays(365));
    CertificateAuthority.Issued first = serving(ca, Duration.ofDays(90));
    Instant notAfter = first.certificate().getNotAfter().toInstant();
    Clock tenDaysBefore = Clock.fixed(notAfter.minus(Duration.ofDays(10)), ZoneOffset.UTC);
    CertificateExpiry.register(registry, keys::certificate, tenDaysBefore);

    assertThat(expiry()).isNaN(); // nothing loaded yet

    keys.load(new X509Certificate[] {first.certificate()}, first.key());
    assertThat(expiry()).isEqualTo(Duration.ofDays(10).toSeconds());

    CertificateAuthority.Issued rotated = serving(ca, Duration.ofDays(200));
    keys.load(new X509Certificate[] {rotated.certificate()}, rotated.key());
    assertThat(expiry()).isGreaterThan(Duration.ofDays(100).toSeconds());
  }

  @Test
  void goesNegativeOnceExpired() {
    CertificateAuthority.Issued ca = CertificateAuthority.newCa("test-ca", Duration.ofDays(365));
    CertificateAuthority.Issued cert = serving(ca, Duration.ofDays(1));
    Instant later = cert.certificate().getNotAfter().toInstant().plusSeconds(60);
    CertificateExpiry.register(registry, cert::certificate, Clock.fixed(later, ZoneOffset.UTC));
    assertThat(expiry()).isEqualTo(-60);
  }

  double expiry() {
    return Scrape.of(registry.scrape()).value(CertificateExpiry.NAME);
  }

  static CertificateAuthority.Issued serving(CertificateAuthority.Issued ca, Duration validity) {
    return CertificateAuthority.issueServing(ca, List.of("webhook.ops.svc"), List.of(), validity);
  }
}
