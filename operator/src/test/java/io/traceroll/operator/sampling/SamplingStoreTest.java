package io.traceroll.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SamplingStoreTest {
  static final String OWN = "traceroll-sampling.traceroll-system.svc.cluster.local";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "default-sampling.observability.svc",
        "default-sampling.observability.svc:14250",
        "Default-Sampling.Observability.svc.cluster.local:5778"
      })
  void aPolicysSamplingServiceNameNamesThePolicy(String host) {
    assertThat(SamplingStore.policyOf(host))
        .hasValueSatisfying(p -> assertThat(p).containsExactly("default", "observability"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1:14250",
        "[::1]:14250",
        "localhost",
        "-sampling.obs.svc",
        "default-sampling.observability",
        "default-sampling.observability.example.com"
      })
  void anyOtherHostNamesNoPolicy(String host) {
    assertThat(SamplingStore.policyOf(host)).isEmpty();
  }

  @Test
  void withoutAnyPolicyThereIsNothingToAnswer() {
    assertThat(new SamplingStore(OWN).answer("127.0.0.1:14250", "checkout")).isEmpty();
  }

  @Test
  void theOperatorsOwnServiceNamesNoPolicy() {
    SamplingStore store = new SamplingStore(OWN);
    store.put(
        "traceroll-system",
        "traceroll",
        Instant.parse("2026-01-01T00:00:00Z"),
        SamplingServerFixture.table(
            "{'default_strategy':{'type':'probabilistic','param':0.3},'service_strategies':[]}"));
    store.put(
        "a",
        "older",
        Instant.parse("2025-01-01T00:00:00Z"),
        SamplingServerFixture.table(
            "{'default_strategy':{'type':'probabilistic','param':0.2},'service_strategies':[]}"));

    assertThat(store.answer(OWN + ":14250", "x")).contains(SamplingAnswer.ratio(0.2));
  }

  @Test
  void aServiceListedByAYoungerPolicyGetsThatPolicysStrategyAtAnUnnamedAddress() {
    SamplingStore store = new SamplingStore(OWN);
    store.put(
        "a",
        "older",
        Instant.parse("2026-01-01T00:00:00Z"),
        SamplingServerFixture.table(
            "{'default_strategy':{'type':'probabilistic','param':0.2},'service_strategies':[]}"));
    store.put(
        "b",
        "younger",
        Instant.parse("2026-03-01T00:00:00Z"),
        SamplingServerFixture.table(
            "{'default_strategy':{'type':'probabilistic','param':0.9},'service_strategies':"
                + "[{'service':'cart','type':'probabilistic','param':0.7}]}"));

    assertThat(store.answer("10.0.0.7:14250", "cart")).contains(SamplingAnswer.ratio(0.7));
    assertThat(store.answer("10.0.0.7:14250", "other")).contains(SamplingAnswer.ratio(0.2));
    assertThat(store.answer("younger-sampling.b.svc:14250", "other"))
        .contains(SamplingAnswer.ratio(0.9));
  }
}
