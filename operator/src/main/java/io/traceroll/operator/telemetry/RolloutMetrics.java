package io.traceroll.operator.telemetry;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each policy's rollout progress as gauges, from the status the reconciler computed: workloads by
 * phase, and how many the policy governs. A deleted policy's series go with it.
 */
public final class RolloutMetrics {
  public static final String WORKLOADS = "traceroll_rollout_workloads";
  public static final String GOVERNED = "traceroll_rollout_governed_workloads";

  /** The phase label's values, in the order a workload moves through them. */
  public enum Phase {
    PENDING,
    RESTARTING,
    INSTRUMENTED,
    FAILED,
    ROLLED_BACK;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private record Policy(String namespace, String name) {}

  /** One policy's values and the gauges that read them. */
  private record Series(
      Map<Phase, AtomicInteger> phases, AtomicInteger governed, List<Gauge> gauges) {}

  private final MeterRegistry registry;
  private final Map<Policy, Series> series = new ConcurrentHashMap<>();

  public RolloutMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Publishes a policy's rollout status (none yet: nothing is published). */
  public void record(String namespace, String name, RolloutStatus status) {
    if (status == null) {
      return;
    }
    Series s = series.computeIfAbsent(new Policy(namespace, name), this::register);
    s.phases().get(Phase.PENDING).set(pending(status));
    s.phases().get(Phase.RESTARTING).set(status.getRestarting());
    s.phases().get(Phase.INSTRUMENTED).set(status.getInstrumented());
    s.phases().get(Phase.FAILED).set(status.getFailed());
    s.phases().get(Phase.ROLLED_BACK).set(status.getRolledBack());
    s.governed().set(status.getTotal());
  }

  /** Removes a policy's series. */
  public void remove(String namespace, String name) {
    Series s = series.remove(new Policy(namespace, name));
    if (s != null) {
      s.gauges().forEach(registry::remove);
    }
  }

  private Series register(Policy policy) {
    Tags tags = Tags.of("policy_namespace", policy.namespace(), "policy", policy.name());
    Map<Phase, AtomicInteger> phases = new EnumMap<>(Phase.class);
    List<Gauge> gauges = new ArrayList<>();
    for (Phase phase : Phase.values()) {
      AtomicInteger value = new AtomicInteger();
      phases.put(phase, value);
      gauges.add(
          Gauge.builder(WORKLOADS, value, AtomicInteger::get)
              .description(
                  "Workloads in a policy's rollout by phase: pending (waiting for a restart"
                      + " slot), restarting, instrumented (running the current injection), failed"
                      + " (health gate), rolled_back")
              .tags(tags.and("phase", phase.label()))
              .register(registry));
    }
    AtomicInteger governed = new AtomicInteger();
    gauges.add(
        Gauge.builder(GOVERNED, governed, AtomicInteger::get)
            .description("Workloads a policy governs (what instrumented counts towards)")
            .tags(tags)
            .register(registry));
    return new Series(phases, governed, gauges);
  }

  private static int pending(RolloutStatus status) {
    return (int)
        status.getWorkloads().stream().filter(w -> w.getPhase() == WorkloadPhase.Pending).count();
  }
}
