package io.traceroll.operator.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.traceroll.api.Traceroll;
import io.traceroll.policy.PodView;
import java.util.Objects;

/**
 * What the rollout needs to know of a Deployment, StatefulSet or DaemonSet: identity, its pod
 * template (as the injection decision reads it), selector, and rollout progress as its controller
 * reports it.
 *
 * @param rolledOut the controller finished rolling out the current template (all replicas updated
 *     and ready, for the generation it last saw)
 */
public record Workload(
    String kind,
    String namespace,
    String name,
    int desired,
    boolean rolledOut,
    PodView template,
    LabelSelector selector) {

  public String key() {
    return kind + "/" + namespace + "/" + name;
  }

  /** The target of the last rollout restart (an injection hash, or the removal value). */
  public String restartedFor() {
    return template.annotation(Traceroll.RESTARTED_FOR_ANNOTATION);
  }

  /** The revision of the last rollout restart. */
  public String restartedAt() {
    return template.annotation(Traceroll.RESTARTED_AT_ANNOTATION);
  }

  public static Workload of(HasMetadata object) {
    if (object instanceof Deployment d) {
      var s = d.getStatus();
      int desired = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
      boolean done =
          s != null
              && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
              && n(s.getUpdatedReplicas()) >= desired
              && n(s.getReadyReplicas()) >= desired
              && n(s.getReplicas()) == n(s.getUpdatedReplicas());
      return of(d, desired, done, d.getSpec().getTemplate(), d.getSpec().getSelector());
    }
    if (object instanceof StatefulSet st) {
      var s = st.getStatus();
      int desired = Objects.requireNonNullElse(st.getSpec().getReplicas(), 1);
      boolean done =
          s != null
              && Objects.equals(s.getObservedGeneration(), st.getMetadata().getGeneration())
              && n(s.getUpdatedReplicas()) >= desired
              && n(s.getReadyReplicas()) >= desired
              && Objects.equals(s.getCurrentRevision(), s.getUpdateRevision());
      return of(st, desired, done, st.getSpec().getTemplate(), st.getSpec().getSelector());
    }
    DaemonSet ds = (DaemonSet) object;
    var s = ds.getStatus();
    int desired = s == null ? 0 : n(s.getDesiredNumberScheduled());
    boolean done =
        s != null
            && Objects.equals(s.getObservedGeneration(), ds.getMetadata().getGeneration())
            && n(s.getUpdatedNumberScheduled()) >= desired
            && n(s.getNumberReady()) >= desired;
    return of(ds, desired, done, ds.getSpec().getTemplate(), ds.getSpec().getSelector());
  }

  private static Workload of(
      HasMetadata o, int desired, boolean done, PodTemplateSpec template, LabelSelector selector) {
    return new Workload(
        o.getKind(),
        o.getMetadata().getNamespace(),
        o.getMetadata().getName(),
        desired,
        done,
        PodView.of(template),
        selector);
  }

  private static int n(Integer value) {
    return value == null ? 0 : value;
  }
}
