package io.traceroll.operator.reconciler;

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
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.traceroll.api.v1alpha1.RolloutStrategy;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.operator.gateway.GatewayConfigMapDependent;
import io.traceroll.operator.gateway.GatewayDeploymentDependent;
import io.traceroll.operator.gateway.GatewayHeadersSecretDependent;
import io.traceroll.operator.gateway.GatewayServiceDependent;
import io.traceroll.operator.grafana.GrafanaDatasourceConfigMapDependent;
import io.traceroll.operator.rollout.RolloutExecutor;
import io.traceroll.operator.rollout.RolloutOutcome;
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
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a policy's children (Tempo config, workload and Service; sampling ConfigMap and Service;
 * tail-sampling gateway; Grafana data source) as the spec says, steps its rollout, and reports the
 * outcome in status. The dependents build the objects, the rollout restarts workloads, {@link
 * PolicyStatusAggregator} turns what each stage found into status; this class runs the stages.
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

  private final ClusterView cluster;
  private final NamespaceGovernance governance;
  private final Duration recheckInterval;
  private final PolicyRollout rollout;
  private final WebhookServing webhook;
  private final String samplingServiceHost;
  private final PolicyTelemetry telemetry;
  private final StatusWriter writer = new StatusWriter();

  /**
   * @param cluster the caches of namespaces and policies
   * @param workloads the workloads and pods the rollout reads and restarts
   * @param namespaceSelection which namespaces policies may select
   * @param recheckInterval how soon a policy blocked by a missing reference is checked again
   * @param webhook whether the API server calls the admission webhook for a policy's pods; Ready
   *     and restarts wait for it, or new pods would come up without the agent
   * @param samplingServiceHost the operator's sampling Service, where each policy's sampling
   *     Service points
   * @param telemetry spans, log context and rollout progress of each reconcile
   */
  public TracingPolicyReconciler(
      ClusterView cluster,
      RolloutExecutor.Cluster workloads,
      NamespaceSelection namespaceSelection,
      Duration recheckInterval,
      WebhookServing webhook,
      String samplingServiceHost,
      PolicyTelemetry telemetry) {
    this.cluster = cluster;
    this.governance = new NamespaceGovernance(new PolicyPrecedence(namespaceSelection));
    this.recheckInterval = recheckInterval;
    this.rollout = new PolicyRollout(cluster, workloads);
    this.webhook = webhook;
    this.samplingServiceHost = samplingServiceHost;
    this.telemetry = telemetry;
  }

  @Override
  public List<EventSource<?, TracingPolicy>> prepareEventSources(
      EventSourceContext<TracingPolicy> context) {
    return List.of(new GovernanceEvents(cluster, context.getPrimaryCache()));
  }

  @Override
  public UpdateControl<TracingPolicy> reconcile(
      TracingPolicy policy, Context<TracingPolicy> context) {
    try (PolicyTelemetry.Work work = telemetry.start("reconcile", policy)) {
      try {
        PolicyStatusAggregator status = stages(policy, context);
        return writer.finish(policy, status, context.getClient(), work);
      } catch (RuntimeException e) {
        work.failed(e);
        throw e;
      }
    }
  }

  /**
   * The stages of a reconcile, each reporting to the aggregator; a stage that cannot pass ends it.
   */
  private PolicyStatusAggregator stages(TracingPolicy policy, Context<TracingPolicy> context) {
    var found = governance.of(policy, cluster.policies(), cluster.namespaces());
    PolicyStatusAggregator status =
        PolicyStatusAggregator.reconciling(policy).governance(found.governed(), found.conflicts());

    Optional<Problem> problem = PolicyValidation.check(policy, context.getClient());
    if (problem.isPresent()) {
      // Leave the children as they are: a bad reference must not tear down a working backend.
      return status.invalid(problem.get(), recheckInterval);
    }
    var workflow = context.managedWorkflowAndDependentResourceContext();
    workflow.put(SamplingServiceDependent.TARGET_HOST, samplingServiceHost);
    workflow.reconcileManagedWorkflow();
    BackendReadiness.Result backend = BackendReadiness.evaluate(policy, context);
    status.backend(backend, BackendEndpoint.of(policy));
    if (!backend.ready()) {
      return status;
    }
    WebhookServing.Verdict serving = webhook.check(policy, found.governed());
    boolean cachesReady = rollout.ready();
    status.webhook(serving, cachesReady);
    if (!serving.serving() || !cachesReady) {
      return status;
    }
    // The rollout starts once the backend is ready, so restarted pods have somewhere to export.
    return status.rollout(rollout.step(policy, Set.copyOf(found.governed())));
  }

  /**
   * A deleted policy takes its agent back out of the workloads it instrumented, through the same
   * gated, budgeted restarts; the finalizer goes once none of its pods remains. The webhook stops
   * injecting as soon as deletion starts. With dryRun or OnNextRestart nothing is restarted: pods
   * lose the agent when they next restart.
   */
  @Override
  public DeleteControl cleanup(TracingPolicy policy, Context<TracingPolicy> context) {
    webhook.forget(policy);
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
    PolicyStatusAggregator status = PolicyStatusAggregator.updating(policy);
    if (!rollout.ready()) {
      return later(status.waiting());
    }
    RolloutOutcome outcome = rollout.step(policy, Set.of());
    var injected = rollout.injectedPods(policy);
    if (!outcome.active() && injected.restartable().isEmpty()) {
      if (!injected.notRestartable().isEmpty()) {
        // Jobs, bare pods, other owners and workloads waiting for their next restart keep the
        // agent until they end or restart; the deletion does not wait for them.
        String left = String.join(", ", injected.notRestartable());
        LOG.warn(
            "policy {} deleted; the agent stays in pods no rollout restarts: {}",
            Naming.policyId(policy),
            left);
        writer.agentLeft(policy, context.getClient(), left);
      }
      LOG.info("policy {} deleted; its agent is out of every workload", Naming.policyId(policy));
      work.deleted();
      return DeleteControl.defaultDelete();
    }
    writer.removing(policy, status.removing(outcome), context.getClient(), work);
    LOG.info(
        "policy {} deleted; removing its agent: {} restarting{}",
        Naming.policyId(policy),
        outcome.status().getRestarting(),
        spec.isPaused() ? " (paused: set rollout.paused=false to continue)" : "");
    return later(status);
  }

  private static DeleteControl later(PolicyStatusAggregator status) {
    return DeleteControl.noFinalizerRemoval()
        .rescheduleAfter(status.recheckAfter().orElseThrow().toMillis());
  }

  @Override
  public ErrorStatusUpdateControl<TracingPolicy> updateErrorStatus(
      TracingPolicy policy, Context<TracingPolicy> context, Exception e) {
    LOG.warn(
        "reconcile of {}/{} failed: {}",
        policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(),
        e.getMessage());
    TracingPolicyStatus status = PolicyStatusAggregator.updating(policy).failed(e).build();
    return ErrorStatusUpdateControl.patchStatus(StatusWriter.statusOnly(policy, status));
  }
}
