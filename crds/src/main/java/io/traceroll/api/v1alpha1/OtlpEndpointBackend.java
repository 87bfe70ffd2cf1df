package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** An OTLP endpoint outside the operator's care: a collector or a vendor's intake. */
public class OtlpEndpointBackend {
  @Required
  @Pattern("^https?://[^\\s/]+(/.*)?$")
  @JsonPropertyDescription("OTLP endpoint URL, e.g. http://otel-collector.observability.svc:4317.")
  private String endpoint;

  @Default("grpc")
  @JsonPropertyDescription("OTLP protocol the endpoint speaks: grpc or http/protobuf.")
  private OtlpProtocol protocol = OtlpProtocol.GRPC;

  @JsonPropertyDescription(
      "Secret whose key 'headers' holds OTEL_EXPORTER_OTLP_HEADERS, k1=v1,k2=v2 with"
          + " URL-encoded values (e.g. an API key). Agents read it in each instrumented"
          + " namespace; with sampling.tail only the gateway sends to the endpoint, and it reads"
          + " the Secret in the policy's namespace.")
  private String headersSecretName;

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public OtlpProtocol getProtocol() {
    return protocol;
  }

  public void setProtocol(OtlpProtocol protocol) {
    this.protocol = protocol;
  }

  public String getHeadersSecretName() {
    return headersSecretName;
  }

  public void setHeadersSecretName(String headersSecretName) {
    this.headersSecretName = headersSecretName;
  }
}
