package io.traceroll.operator.telemetry;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;

/**
 * The registry behind /metrics: JVM and process meters, and JOSDK's reconcile timers with buckets
 * chosen for reconciles instead of Micrometer's ~70 default ones. Traceroll's own meters register
 * themselves where they are measured.
 */
public final class OperatorMetrics {
  /** JOSDK's per-controller execution timers (reconcile, cleanup). */
  static final String JOSDK_EXECUTION_PREFIX = "operator.sdk.controllers.execution.";

  /** A reconcile reads caches and writes a few objects: milliseconds to seconds. */
  static final Duration[] RECONCILE_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  private OperatorMetrics() {}

  public static PrometheusMeterRegistry create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Before any meter exists: a filter applies to meters registered after it.
    registry.config().meterFilter(reconcileBuckets());
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    return registry;
  }

  static MeterFilter reconcileBuckets() {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(
          Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().startsWith(JOSDK_EXECUTION_PREFIX)) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .percentilesHistogram(false)
            .serviceLevelObjectives(nanos(RECONCILE_BUCKETS))
            .build()
            .merge(config);
      }
    };
  }

  /** Histogram bounds in a timer's base unit, nanoseconds. */
  static double[] nanos(Duration... bounds) {
    return Arrays.stream(bounds).mapToDouble(Duration::toNanos).toArray();
  }
}
