package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The OTLP transport, with the value OTEL_EXPORTER_OTLP_PROTOCOL takes for it. */
public enum OtlpProtocol {
  @JsonProperty("grpc")
  GRPC("grpc"),
  @JsonProperty("http/protobuf")
  HTTP_PROTOBUF("http/protobuf");

  private final String otelValue;

  OtlpProtocol(String otelValue) {
    this.otelValue = otelValue;
  }

  public String otelValue() {
    return otelValue;
  }
}
