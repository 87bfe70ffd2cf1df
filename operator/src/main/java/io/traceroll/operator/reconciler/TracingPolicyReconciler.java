package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.traceroll.api.v1alpha1.RolloutStrategy;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import io.traceroll.operator.gateway.GatewayConfigMapDependent;
import io.traceroll.operator.gateway.GatewayDeploymentDependent;
import io.traceroll.operator.gateway.GatewayHeadersSecretDependent;
import io.traceroll.operator.gateway.GatewayServiceDependent;
import io.traceroll.operator.grafana.GrafanaDatasourceConfigMapDependent;
import io.traceroll.operator.rollout.RolloutExecutor;
import io.traceroll.operator.rollout.WorkloadCache;
import io.traceroll.operator.sampling.SamplingConfigMapDependent;
import io.traceroll.operator.sampling.SamplingServiceDependent;
import io.traceroll.operator.telemetry.PolicyTelemetry;
import io.traceroll.operator.tempo.TempoConfigMapDependent;
import io.traceroll.operator.tempo.TempoDeploymentDependent;
import io.traceroll.operator.tempo.TempoServiceDependent;
import io.traceroll.operator.tempo.TempoStatefulSetDependent;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.Naming;
import io.traceroll.policy.PolicyPrecedence;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a policy's children (Tempo config, workload and Service; sampling ConfigMap; tail-sampling
 * gateway; Grafana data source) as the spec says, and reports the outcome in status. The dependents
 * build the objects; this class validates, runs the workflow and aggregates conditions.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "sampling-config", type = SamplingConfigMapDependent.class),
      @Dependent(name = "sampling-service", type = SamplingServiceDependent.class),
      @Dependent(
          name = "tempo-config",
          type = TempoConfigMapDependent.class,
          reconcilePrecondition = TempoConfigMapDependent.TempoSelected.class),
      @Dependent(
          name = "tempo-service",
          type = TempoServiceDependent.class,
          reconcilePrecondition = TempoConfigMapDependent.TempoSelected.class),
      @Dependent(
          name = "tempo-statefulset",
          type = TempoStatefulSetDependent.class,
          reconcilePrecondition = TempoStatefulSetDependent.TempoOnVolume.class,
          dependsOn = "tempo-config"),
      @Dependent(
          name = "tempo-deployment",
          type = TempoDeploymentDependent.class,
          reconcilePrecondition = TempoDeploymentDependent.TempoWithoutVolume.class,
          dependsOn = "tempo-config"),
      @Dependent(
          name = "gateway-config",
          type = GatewayConfigMapDependent.class,
          reconcilePrecondition = GatewayConfigMapDependent.TailSamplingRequested.class),
      @Dependent(
          name = "gateway-headers",
          type = GatewayHeadersSecretDependent.class,
          reconcilePrecondition = GatewayHeadersSecretDependent.SendsHeaders.class),
      @Dependent(
          name = "gateway-service",
          type = GatewayServiceDependent.class,
          reconcilePrecondition = GatewayConfigMapDependent.TailSamplingRequested.class),
      @Dependent(
          name = "gateway-deployment",
          type = GatewayDeploymentDependent.class,
          reconcilePrecondition = GatewayConfigMapDependent.TailSamplingRequested.class,
          dependsOn = "gateway-config"),
      @Dependent(
          name = "grafana-datasource",
          type = GrafanaDatasourceConfigMapDependent.class,
          reconcilePrecondition = GrafanaDatasourceConfigMapDependent.DatasourceRequested.class)
    })
@ControllerConfiguration(name = TracingPolicyReconciler.NAME)
public class TracingPolicyReconciler implements Reconciler<TracingPolicy>, Cleaner<TracingPolicy> {
  public static final String NAME = "tracingpolicy";
  private static final Logger LOG = LoggerFactory.getLogger(TracingPolicyReconciler.class);
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /** How often a running rollout is stepped (gates checked, next batch started). */
  static final Duration ROLLOUT_STEP = Duration.ofSeconds(2);

  /**
   * How often a settled policy looks again for drift (pods admitted while the webhook was down).
   */
  static final Duration DRIFT_CHECK = Duration.ofSeconds(30);

  /** A cleanup step's outcome while the agent is still being taken out of workloads. */
  static final String REMOVING_AGENT = "RemovingAgent";

  private final NamespaceGovernance governance;
  private final Duration recheckInterval;
  private final PolicyRollout rollout;
  private final Predicate<TracingPolicy> webhookServes;
  private final String samplingServiceHost;
  private final PolicyTelemetry telemetry;
  private InformerEventSource<Namespace, TracingPolicy> namespaces;

  /**
   * @param namespaceSelection which namespaces policies may select
   * @param recheckInterval how soon a policy blocked by a missing reference is checked again
   * @param webhookServes whether the admission webhook is registered for a policy; restarts wait
   *     for it, or the new pods would come up without the agent
   * @param samplingServiceHost the operator's sampling Service, where each policy's sampling
   *     Service points
   * @param telemetry spans, log context and rollout progress of each reconcile
   */
  public TracingPolicyReconciler(
      NamespaceSelection namespaceSelection,
      Duration recheckInterval,
      WorkloadCache workloads,
      Predicate<TracingPolicy> webhookServes,
      String samplingServiceHost,
      PolicyTelemetry telemetry) {
    this.governance = new NamespaceGovernance(new PolicyPrecedence(namespaceSelection));
    this.recheckInterval = recheckInterval;
    this.rollout = new PolicyRollout(workloads);
    this.webhookServes = webhookServes;
    this.samplingServiceHost = samplingServiceHost;
    this.telemetry = telemetry;
  }

  @Override
  public List<EventSource<?, TracingPolicy>> prepareEventSources(
      EventSourceContext<TracingPolicy> context) {
    // Any namespace change may change what every policy selects; a policy created, changed or
    // deleted may change which policy governs a namespace.
    SecondaryToPrimaryMapper<HasMetadata> everyPolicy =
        any ->
            context
                .getPrimaryCache()
                .list()
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    namespaces =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Namespace.class, TracingPolicy.class)
                .withName("namespaces")
                .withSecondaryToPrimaryMapper(everyPolicy::toPrimaryResourceIDs)
                .build(),
            context);
    var peers =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(TracingPolicy.class, TracingPolicy.class)
                .withName("peer-policies")
                .withSecondaryToPrimaryMapper(everyPolicy::toPrimaryResourceIDs)
                .withOnUpdateFilter(
                    (next, old) ->
                        !Objects.equals(
                            next.getMetadata().getGeneration(), old.getMetadata().getGeneration()))
                .build(),
            context);
    return List.of(namespaces, peers);
  }

  @Override
  public UpdateControl<TracingPolicy> reconcile(
      TracingPolicy policy, Context<TracingPolicy> context) {
    try (PolicyTelemetry.Work work = telemetry.start("reconcile", policy)) {
      try {
        return reconcile(policy, context, work);
      } catch (RuntimeException e) {
        work.failed(e);
        throw e;
      }
    }
  }

  private UpdateControl<TracingPolicy> reconcile(
      TracingPolicy policy, Context<TracingPolicy> context, PolicyTelemetry.Work work) {
    TracingPolicyStatus status = new TracingPolicyStatus();
    TracingPolicyStatus previous = policy.getStatus();
    status.setConditions(previous == null ? List.of() : previous.getConditions());
    status.setObservedGeneration(policy.getMetadata().getGeneration());
    governance.apply(policy, context.getPrimaryCache().list().toList(), namespaces.list(), status);

    Optional<Problem> problem = PolicyValidation.check(policy, context.getClient());
    if (problem.isPresent()) {
      // Leave the children as they are: a bad reference must not tear down a working backend.
      status.setBackend(previous == null ? null : previous.getBackend());
      PolicyConditions.setOn(
          status,
          policy,
          PolicyConditions.READY,
          false,
          problem.get().reason(),
          problem.get().message());
      PolicyConditions.setOn(
          status,
          policy,
          PolicyConditions.BACKEND_READY,
          false,
          problem.get().reason(),
          problem.get().message());
      return finish(policy, status, context, work).rescheduleAfter(recheckInterval);
    }

    context
        .managedWorkflowAndDependentResourceContext()
        .put(SamplingServiceDependent.TARGET_HOST, samplingServiceHost);
    context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    BackendReadiness.Result backend = BackendReadiness.evaluate(policy, context);
    status.setBackend(BackendEndpoint.of(policy));
    PolicyConditions.setOn(
        status,
        policy,
        PolicyConditions.BACKEND_READY,
        backend.ready(),
        backend.reason(),
        backend.message());
    if (!backend.ready()) {
      PolicyConditions.setOn(
          status, policy, PolicyConditions.READY, false, backend.reason(), backend.message());
      status.setRollout(previous == null ? null : previous.getRollout());
      return finish(policy, status, context, work);
    }
    PolicyConditions.setOn(
        status,
        policy,
        PolicyConditions.READY,
        true,
        PolicyConditions.REASON_RECONCILED,
        "all objects in place");
    boolean webhook = webhookServes.test(policy);
    PolicyConditions.setOn(
        status,
        policy,
        PolicyConditions.WEBHOOK_READY,
        webhook,
        webhook ? "Registered" : "NotRegistered",
        webhook
            ? "the admission webhook injects pods of the governed namespaces"
            : "waiting for the admission webhook to be registered for this policy");
    if (!webhook || !rollout.ready()) {
      status.setRollout(previous == null ? null : previous.getRollout());
      return finish(policy, status, context, work).rescheduleAfter(ROLLOUT_STEP);
    }
    // The rollout starts once the backend is ready, so restarted pods have somewhere to export.
    RolloutExecutor.Outcome outcome = rollout.step(policy, Set.copyOf(status.getNamespaces()));
    rollout.report(policy, status, outcome, new EventRecorder(context.getClient()));
    return finish(policy, status, context, work)
        .rescheduleAfter(outcome.active() ? ROLLOUT_STEP : DRIFT_CHECK);
  }

  /**
   * A deleted policy takes its agent back out of the workloads it instrumented, through the same
   * gated, budgeted restarts; the finalizer goes once none of its pods remains. The webhook stops
   * injecting as soon as deletion starts. With dryRun or OnNextRestart nothing is restarted: pods
   * lose the agent when they next restart.
   */
  @Override
  public DeleteControl cleanup(TracingPolicy policy, Context<TracingPolicy> context) {
    try (PolicyTelemetry.Work work = telemetry.start("cleanup", policy)) {
      try {
        return cleanup(policy, context, work);
      } catch (RuntimeException e) {
        work.failed(e);
        throw e;
      }
    }
  }

  private DeleteControl cleanup(
      TracingPolicy policy, Context<TracingPolicy> context, PolicyTelemetry.Work work) {
    var spec = policy.getSpec().getRollout();
    if (spec.isDryRun() || spec.getStrategy() == RolloutStrategy.OnNextRestart) {
      work.deleted();
      return DeleteControl.defaultDelete();
    }
    if (!rollout.ready()) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(ROLLOUT_STEP.toMillis());
    }
    String id = Naming.policyId(policy);
    RolloutExecutor.Outcome outcome = rollout.step(policy, Set.of());
    if (!outcome.active() && rollout.agentGone(policy)) {
      LOG.info("policy {} deleted; its agent is out of every workload", id);
      work.deleted();
      return DeleteControl.defaultDelete();
    }
    TracingPolicyStatus status =
        policy.getStatus() == null ? new TracingPolicyStatus() : policy.getStatus();
    rollout.report(policy, status, outcome, new EventRecorder(context.getClient()));
    work.reported(status, REMOVING_AGENT);
    context
        .getClient()
        .resources(TracingPolicy.class)
        .inNamespace(policy.getMetadata().getNamespace())
        .withName(policy.getMetadata().getName())
        .patchStatus(statusOnly(policy, status));
    LOG.info(
        "policy {} deleted; removing its agent: {} restarting{}",
        id,
        outcome.status().getRestarting(),
        spec.isPaused() ? " (paused: set rollout.paused=false to continue)" : "");
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(ROLLOUT_STEP.toMillis());
  }

  @Override
  public ErrorStatusUpdateControl<TracingPolicy> updateErrorStatus(
      TracingPolicy policy, Context<TracingPolicy> context, Exception e) {
    LOG.warn(
        "reconcile of {}/{} failed: {}",
        policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(),
        e.getMessage());
    TracingPolicyStatus status =
        policy.getStatus() == null ? new TracingPolicyStatus() : policy.getStatus();
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    PolicyConditions.setOn(
        status,
        policy,
        PolicyConditions.READY,
        false,
        PolicyConditions.REASON_RECONCILE_ERROR,
        message);
    return ErrorStatusUpdateControl.patchStatus(statusOnly(policy, status));
  }

  private UpdateControl<TracingPolicy> finish(
      TracingPolicy policy,
      TracingPolicyStatus status,
      Context<TracingPolicy> context,
      PolicyTelemetry.Work work) {
    ReadyTransition.report(policy, status, new EventRecorder(context.getClient()));
    work.reported(
        status,
        PolicyConditions.find(status.getConditions(), PolicyConditions.READY)
            .map(Condition::getReason)
            .orElse("Unknown"));
    if (policy.getStatus() != null && JSON.asJson(policy.getStatus()).equals(JSON.asJson(status))) {
      return UpdateControl.noUpdate();
    }
    return UpdateControl.patchStatus(statusOnly(policy, status));
  }

  /** A fresh object carrying only identity and status, so the status patch touches nothing else. */
  private static TracingPolicy statusOnly(TracingPolicy policy, TracingPolicyStatus status) {
    TracingPolicy fresh = new TracingPolicy();
    fresh.getMetadata().setName(policy.getMetadata().getName());
    fresh.getMetadata().setNamespace(policy.getMetadata().getNamespace());
    fresh.setSpec(null);
    fresh.setStatus(status);
    return fresh;
  }
}
