package io.traceroll.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Where traces go, how they are sampled, and how tracing reaches the selected workloads. */
@Group("traceroll.io")
@Version("v1alpha1")
@Plural("tracingpolicies")
@ShortNames("tp")
@AdditionalPrinterColumn(
    name = "Instrumented",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.rollout.summary")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
@AdditionalPrinterColumn(
    name = "Sampling",
    type = AdditionalPrinterColumn.Type.NUMBER,
    jsonPath = ".spec.sampling.default.ratio")
@AdditionalPrinterColumn(
    name = "Backend",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.backend.type")
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
public class TracingPolicy extends CustomResource<TracingPolicySpec, TracingPolicyStatus>
    implements Namespaced {

  @Override
  protected TracingPolicySpec initSpec() {
    return new TracingPolicySpec();
  }

  @Override
  protected TracingPolicyStatus initStatus() {
    return new TracingPolicyStatus();
  }
}
