package io.traceroll.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.AgentUpgrade;
import io.traceroll.api.v1alpha1.TracingPolicy;
import org.junit.jupiter.api.Test;

/** What an operator upgrade to a newer bundled agent restarts, through the injection hash. */
class InjectionSettingsTest {

  @Test
  void byDefaultPodsGetTheBundledAgentAndAnUpgradeOfItRestartsNothing() {
    TracingPolicy policy = TestPolicies.policy("obs", "default");

    InjectionSettings now = InjectionSettings.of(policy, "2.33.1");
    InjectionSettings upgraded = InjectionSettings.of(policy, "2.34.0");

    assertThat(now.agentImage()).isEqualTo(Traceroll.DEFAULT_AGENT_IMAGE);
    assertThat(upgraded.injectionHash()).isEqualTo(now.injectionHash());
    assertThat(InjectionSettings.of(policy).injectionHash()).isEqualTo(now.injectionHash());
  }

  @Test
  void withAgentUpgradeRolloutAnUpgradeChangesTheHashSoTheRolloutRestartsWorkloads() {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    String onNextRestart = InjectionSettings.of(policy, "2.33.1").injectionHash();
    policy.getSpec().getJava().setAgentUpgrade(AgentUpgrade.Rollout);

    String now = InjectionSettings.of(policy, "2.33.1").injectionHash();
    String upgraded = InjectionSettings.of(policy, "2.34.0").injectionHash();

    assertThat(upgraded).isNotEqualTo(now);
    assertThat(now).as("switching to Rollout restarts workloads once").isNotEqualTo(onNextRestart);
  }

  @Test
  void aPinnedImageIsInjectedAsIsAndOnlyChangingItRestarts() {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    policy.getSpec().getJava().setImage("registry.example/agent:2.30.0");
    policy.getSpec().getJava().setAgentUpgrade(AgentUpgrade.Rollout);

    InjectionSettings now = InjectionSettings.of(policy, "2.33.1");
    assertThat(now.agentImage()).isEqualTo("registry.example/agent:2.30.0");
    assertThat(InjectionSettings.of(policy, "2.34.0").injectionHash())
        .as("pinned: the bundled agent does not matter")
        .isEqualTo(now.injectionHash());

    policy.getSpec().getJava().setImage("registry.example/agent:2.31.0");
    assertThat(InjectionSettings.of(policy, "2.33.1").injectionHash())
        .isNotEqualTo(now.injectionHash());
  }

  @Test
  void aBlankImageMeansTheBundledAgent() {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    String unset = InjectionSettings.of(policy).injectionHash();
    policy.getSpec().getJava().setImage(" ");

    assertThat(InjectionSettings.of(policy).agentImage()).isEqualTo(Traceroll.DEFAULT_AGENT_IMAGE);
    assertThat(InjectionSettings.of(policy).injectionHash()).isEqualTo(unset);
  }
}
