package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.OperatorConfig;
import io.traceroll.operator.TracerollOperator;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.operator.rollout.PodAdmission;
import io.traceroll.operator.runtime.Leadership;
import io.traceroll.operator.telemetry.OperatorMetrics;
import io.traceroll.operator.telemetry.SelfTracing;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Set;

/**
 * The operator running against fabric8's mock API server in CRUD mode. The mock has no server-side
 * apply, so (here only) SSA is turned off.
 */
public final class MockCluster implements AutoCloseable {
  static final String OPERATOR_NAMESPACE = "traceroll-system";
  static final String SAMPLING_HOST =
      "traceroll-sampling." + OPERATOR_NAMESPACE + ".svc.cluster.local";

  final KubernetesMockServer server;
  public final KubernetesClient client;
  final Operator operator;
  final ClusterView cluster;
  public final PrometheusMeterRegistry registry = OperatorMetrics.create();

  public MockCluster() {
    this(SelfTracing.off());
  }

  /** The operator with this self-tracing. */
  public MockCluster(SelfTracing tracing) {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(
                List.of(
                    CustomResourceDefinitionContext.fromCustomResourceType(TracingPolicy.class))),
            false);
    server.init();
    client = server.createClient();
    OperatorConfig config =
        new OperatorConfig(
            OPERATOR_NAMESPACE,
            Set.of(),
            false,
            0,
            Duration.ofMillis(500),
            new OperatorConfig.Sampling(0, 0, SAMPLING_HOST));
    cluster = new ClusterView(client, OPERATOR_NAMESPACE);
    cluster.startAdmission();
    operator =
        TracerollOperator.create(
            client,
            config,
            registry,
            tracing,
            new Leadership(() -> {}),
            cluster,
            (policy, governed) -> WebhookServing.ASSUMED,
            PodAdmission.UNCHECKED,
            o ->
                o.withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.start();
  }

  @Override
  public void close() {
    operator.stop();
    cluster.close();
    client.close();
    server.destroy();
  }
}
