package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The desired state of a TracingPolicy. */
@ValidationRule(
    value =
        "!has(self.grafana) || !has(self.grafana.datasource)"
            + " || (has(self.grafana.datasource.enabled) && !self.grafana.datasource.enabled)"
            + " || (has(self.backend) && has(self.backend.tempo))",
    message =
        "grafana.datasource needs backend.tempo: the data source points at the Tempo the policy"
            + " runs",
    fieldPath = ".grafana.datasource")
public class TracingPolicySpec {
  @JsonPropertyDescription(
      "Which namespaces and pods the policy instruments. Defaults to namespaces labelled"
          + " traceroll.io/inject=enabled.")
  private PolicySelector selector = new PolicySelector();

  @Required
  @JsonPropertyDescription(
      "Where traces are sent: a Tempo trace store the operator runs, or an external OTLP"
          + " endpoint. Exactly one must be set.")
  private Backend backend;

  @JsonPropertyDescription("How many traces are kept, per service and per operation.")
  private Sampling sampling = new Sampling();

  @JsonPropertyDescription("How the OpenTelemetry Java agent is injected into pods.")
  private JavaInjection java = new JavaInjection();

  @JsonPropertyDescription("How tracing is rolled out to workloads that already run.")
  private Rollout rollout = new Rollout();

  @JsonPropertyDescription(
      "Correlation in Grafana: a data source for the policy's Tempo, linked to Prometheus and"
          + " Loki.")
  private GrafanaIntegration grafana;

  public PolicySelector getSelector() {
    return selector;
  }

  public void setSelector(PolicySelector selector) {
    this.selector = selector;
  }

  public Backend getBackend() {
    return backend;
  }

  public void setBackend(Backend backend) {
    this.backend = backend;
  }

  public Sampling getSampling() {
    return sampling;
  }

  public void setSampling(Sampling sampling) {
    this.sampling = sampling;
  }

  public JavaInjection getJava() {
    return java;
  }

  public void setJava(JavaInjection java) {
    this.java = java;
  }

  public Rollout getRollout() {
    return rollout;
  }

  public void setRollout(Rollout rollout) {
    this.rollout = rollout;
  }

  public GrafanaIntegration getGrafana() {
    return grafana;
  }

  public void setGrafana(GrafanaIntegration grafana) {
    this.grafana = grafana;
  }
}
