package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The backend a policy resolved to. */
public class BackendStatus {
  @JsonPropertyDescription("tempo or otlpEndpoint.")
  private String type;

  @JsonPropertyDescription("OTLP endpoint injected agents export to.")
  private String endpoint;

  @JsonPropertyDescription("Name of the ConfigMap holding the sampling strategies.")
  private String samplingConfigMap;

  public BackendStatus() {}

  public BackendStatus(String type, String endpoint, String samplingConfigMap) {
    this.type = type;
    this.endpoint = endpoint;
    this.samplingConfigMap = samplingConfigMap;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getSamplingConfigMap() {
    return samplingConfigMap;
  }

  public void setSamplingConfigMap(String samplingConfigMap) {
    this.samplingConfigMap = samplingConfigMap;
  }
}
