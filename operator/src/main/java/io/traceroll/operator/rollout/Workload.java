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
 * @param rollBlocker why a pod-template patch would not roll new pods (paused, OnDelete, a
 *     partition), or null when it would
 */
public record Workload(
    String kind,
    String namespace,
    String name,
    int desired,
    boolean rolledOut,
    PodView template,
    LabelSelector selector,
    String rollBlocker) {

  public Workload(
      String kind,
      String namespace,
      String name,
      int desired,
      boolean rolledOut,
      PodView template,
      LabelSelector selector) {
    this(kind, namespace, name, desired, rolledOut, template, selector, null);
  }

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
      String blocker =
          Boolean.TRUE.equals(d.getSpec().getPaused()) ? "the Deployment is paused" : null;
      return of(d, desired, done, d.getSpec().getTemplate(), d.getSpec().getSelector(), blocker);
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
      var strategy = st.getSpec().getUpdateStrategy();
      String blocker = null;
      if (strategy != null && "OnDelete".equals(strategy.getType())) {
        blocker = "the StatefulSet updates OnDelete";
      } else if (strategy != null
          && strategy.getRollingUpdate() != null
          && n(strategy.getRollingUpdate().getPartition()) > 0) {
        blocker =
            "the StatefulSet's rolling update is partitioned at "
                + strategy.getRollingUpdate().getPartition();
      }
      return of(st, desired, done, st.getSpec().getTemplate(), st.getSpec().getSelector(), blocker);
    }
    DaemonSet ds = (DaemonSet) object;
    var s = ds.getStatus();
    int desired = s == null ? 0 : n(s.getDesiredNumberScheduled());
    boolean done =
        s != null
            && Objects.equals(s.getObservedGeneration(), ds.getMetadata().getGeneration())
            && n(s.getUpdatedNumberScheduled()) >= desired
            && n(s.getNumberReady()) >= desired;
    var strategy = ds.getSpec().getUpdateStrategy();
    String blocker =
        strategy != null && "OnDelete".equals(strategy.getType())
            ? "the DaemonSet updates OnDelete"
            : null;
    return of(ds, desired, done, ds.getSpec().getTemplate(), ds.getSpec().getSelector(), blocker);
  }

  private static Workload of(
      HasMetadata o,
      int desired,
      boolean done,
      PodTemplateSpec template,
      LabelSelector selector,
      String blocker) {
    return new Workload(
        o.getKind(),
        o.getMetadata().getNamespace(),
        o.getMetadata().getName(),
        desired,
        done,
        PodView.of(template),
        selector,
        blocker);
  }

  private static int n(Integer value) {
    return value == null ? 0 : value;
  }
}
