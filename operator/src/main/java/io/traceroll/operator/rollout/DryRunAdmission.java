package io.traceroll.operator.rollout;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.traceroll.api.Traceroll;
import java.util.Map;

/**
 * Asks the API server itself: creates the workload's next pod with a server-side dry run, which
 * runs every admission step (our webhook through its Service, Pod Security, LimitRanges, quotas)
 * and stores nothing. One call per restart the rollout is about to make.
 */
public final class DryRunAdmission implements PodAdmission {
  private final KubernetesClient client;

  public DryRunAdmission(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public String problem(
      Workload workload, PodTemplateSpec template, String policyId, boolean withAgent) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withGenerateName(workload.name() + "-")
            .withNamespace(workload.namespace())
            .withLabels(template.getMetadata() == null ? null : template.getMetadata().getLabels())
            .withAnnotations(
                template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
            .endMetadata()
            .withSpec(template.getSpec())
            .build();
    Pod admitted;
    try {
      admitted = client.resource(pod).dryRun().create();
    } catch (KubernetesClientException e) {
      String message = e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage();
      return "a new pod would be refused: " + message;
    }
    Map<String, String> annotations = admitted.getMetadata().getAnnotations();
    String injected = annotations == null ? null : annotations.get(Traceroll.INJECTED_ANNOTATION);
    boolean agent = injected != null && injected.startsWith(policyId + "@");
    if (withAgent && !agent) {
      return "the API server does not add the agent to a new pod yet (the webhook is not"
          + " reachable, or it skips the pod); not restarting";
    }
    if (!withAgent && agent) {
      return "the webhook still adds the agent to a new pod (it has not read the rollback from"
          + " the policy's status yet); not restarting";
    }
    return null;
  }
}
