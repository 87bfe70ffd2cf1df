package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A protocol on which Tempo accepts spans. */
public enum Receiver {
  @JsonProperty("otlp-grpc")
  OTLP_GRPC,
  @JsonProperty("otlp-http")
  OTLP_HTTP,
  @JsonProperty("jaeger")
  JAEGER,
  @JsonProperty("zipkin")
  ZIPKIN
}
