package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A Tempo metrics-generator processor. */
public enum MetricsProcessor {
  @JsonProperty("service-graphs")
  SERVICE_GRAPHS,
  @JsonProperty("span-metrics")
  SPAN_METRICS
}
