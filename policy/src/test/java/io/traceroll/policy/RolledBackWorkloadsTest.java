package io.traceroll.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.api.v1alpha1.WorkloadRollout;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rollback the webhook reads from a policy's status, and what it keeps the agent out of. */
class RolledBackWorkloadsTest {
  static final String HASH = "0123456789abcdef";

  @Test
  void onlyRolledBackEntriesOfTheCurrentInjectionWithASelectorCount() {
    RolloutStatus rollout = new RolloutStatus();
    rollout.setWorkloads(
        List.of(
            entry("checkout", WorkloadPhase.RolledBack, HASH, selector("app", "checkout")),
            entry("billing", WorkloadPhase.RolledBack, "an-older-hash", selector("app", "billing")),
            entry("search", WorkloadPhase.Failed, HASH, selector("app", "search")),
            entry("legacy", WorkloadPhase.RolledBack, HASH, null)));

    RolledBackWorkloads rolledBack = RolledBackWorkloads.of(rollout, HASH);

    assertThat(rolledBack.entries())
        .extracting(RolledBackWorkloads.Entry::key)
        .containsExactly("Deployment/shop/checkout");
  }

  @Test
  void aPodIsTheWorkloadsWhenItsNamespaceMatchesAndItsLabelsAreSelected() {
    RolloutStatus rollout = new RolloutStatus();
    rollout.setWorkloads(
        List.of(entry("checkout", WorkloadPhase.RolledBack, HASH, selector("app", "checkout"))));
    RolledBackWorkloads rolledBack = RolledBackWorkloads.of(rollout, HASH);

    assertThat(rolledBack.match("shop", Map.of("app", "checkout", "pod-template-hash", "5d8f")))
        .isPresent();
    assertThat(rolledBack.match("other", Map.of("app", "checkout"))).isEmpty();
    assertThat(rolledBack.match("shop", Map.of("app", "cart"))).isEmpty();
    assertThat(rolledBack.match(null, Map.of("app", "checkout"))).as("no namespace").isEmpty();
  }

  @Test
  void anEmptySelectorNeverTakesEveryPodOfTheNamespace() {
    RolloutStatus rollout = new RolloutStatus();
    rollout.setWorkloads(
        List.of(entry("odd", WorkloadPhase.RolledBack, HASH, new LabelSelector())));

    assertThat(RolledBackWorkloads.of(rollout, HASH).match("shop", Map.of("app", "x"))).isEmpty();
  }

  @Test
  void thePolicysSettingsCarryTheRollbacksOfItsStatus() {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    String hash = InjectionSettings.of(policy).injectionHash();
    TracingPolicyStatus status = new TracingPolicyStatus();
    RolloutStatus rollout = new RolloutStatus();
    rollout.setWorkloads(
        List.of(entry("checkout", WorkloadPhase.RolledBack, hash, selector("app", "checkout"))));
    status.setRollout(rollout);
    policy.setStatus(status);

    InjectionSettings settings = InjectionSettings.of(policy);

    assertThat(settings.injectionHash()).as("status is no part of the hash").isEqualTo(hash);
    assertThat(settings.rolledBack().entries()).hasSize(1);
  }

  static WorkloadRollout entry(
      String name, WorkloadPhase phase, String target, LabelSelector selector) {
    WorkloadRollout entry = new WorkloadRollout("Deployment", "shop", name);
    entry.setPhase(phase);
    entry.setTarget(target);
    entry.setSelector(selector);
    return entry;
  }

  static LabelSelector selector(String key, String value) {
    return new LabelSelectorBuilder().withMatchLabels(Map.of(key, value)).build();
  }
}
