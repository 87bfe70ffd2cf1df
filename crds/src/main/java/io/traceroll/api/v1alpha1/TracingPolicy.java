package io.traceroll.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Where traces go, how they are sampled, and how tracing reaches the selected workloads.
 *
 * <p>A new instance has no spec and no status (the defaults of CustomResource): JOSDK builds fresh
 * instances for its server-side-apply patches (finalizer, status), and a defaulted spec there would
 * take over and overwrite the user's fields.
 */
@Group("traceroll.io")
@Version("v1alpha1")
@Plural("tracingpolicies")
@ShortNames("tp")
// kubectl shows the columns in the CRD's order, which the generator sorts by jsonPath. Ready and
// Instrumented are written with recursive descent (..), which sorts before .metadata, so they come
// first: READY, INSTRUMENTED, AGENTS, AGE, SAMPLING, BACKEND. The schema has one field of each
// name (GeneratedCrdTest checks), so .. finds exactly .status.conditions, .status.rollout.summary
// and .status.rollout.verifiedAgents.
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Instrumented",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..rollout.summary")
@AdditionalPrinterColumn(
    name = "Agents",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..rollout.verifiedAgents")
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
public class TracingPolicy extends CustomResource<TracingPolicySpec, TracingPolicyStatus>
    implements Namespaced {}
