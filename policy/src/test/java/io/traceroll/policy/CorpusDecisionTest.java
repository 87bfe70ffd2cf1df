package io.traceroll.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.traceroll.api.v1alpha1.JvmDetectionMode;
import io.traceroll.policy.Corpus.Expectation;
import io.traceroll.policy.Corpus.Workload;
import io.traceroll.policy.InjectionDecision.Inject;
import io.traceroll.policy.JvmDetection.Verdict;
import io.traceroll.policy.PodView.ContainerView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The default policy's decision (java.detection auto) over the corpus of public projects' workload
 * manifests ({@link Corpus}), whichever projects are present, before and after the image probe:
 * before, every application container their sources say runs a JVM is injected but those whose spec
 * says nothing ({@link Corpus#AWAITING_PROBE}); after, all of them; never another container. The
 * webhook's view of a pod (JSON) and the rollout's (a PodTemplateSpec) decide alike. Skipped when
 * no project is present (e2e/corpus/fetch.sh).
 */
class CorpusDecisionTest {

  @Test
  void injectsTheJvmContainersTheSpecTellsThenThoseTheImageProbeTellsAndNoOther() {
    Map<String, Path> projects = Corpus.projects();
    assumeTrue(!projects.isEmpty(), Corpus.MISSING);
    InjectionSettings settings = TestPolicies.settings();
    assertThat(settings.detection()).isEqualTo(JvmDetectionMode.AUTO);
    List<Workload> workloads = Corpus.workloads(projects);
    Map<String, Expectation> expected = Corpus.expected(projects.keySet());
    System.out.print("Corpus projects:\n" + Corpus.describe(projects));

    Set<String> before = decide(settings, workloads, expected, ImageVerdicts.NONE, "before");
    Corpus.assertInjected(expected, before, Corpus.awaitingProbe(expected));

    ImageVerdicts probed = Corpus.probedPreviousReleases(workloads, expected);
    Set<String> after = decide(settings, workloads, expected, probed, "after");
    Corpus.assertInjected(expected, after, Set.of());
    assertThat(after).containsAll(before);
  }

  /** The containers injected, with the table and each container's decision printed. */
  private static Set<String> decide(
      InjectionSettings settings,
      List<Workload> workloads,
      Map<String, Expectation> expected,
      ImageVerdicts images,
      String stage) {
    List<String> containers = new ArrayList<>();
    Set<String> injected = new HashSet<>();
    Map<String, ContainerView> views = new HashMap<>();
    Corpus.Table table = new Corpus.Table();
    for (Workload w : workloads) {
      PodView pod = PodView.of(w.template());
      InjectionDecision decision = InjectionDecision.of(settings, pod, "corpus", images);
      assertThat(InjectionDecision.of(settings, PodView.of(w.podTemplate()), "corpus", images))
          .as("%s %s: the rollout's view", w.project(), w.key())
          .isEqualTo(decision);
      List<String> selected = decision instanceof Inject i ? i.containers() : List.of();
      for (ContainerView c : pod.containers()) {
        views.put(w.project() + " " + w.key() + " " + c.name(), c);
      }
      selected.forEach(name -> injected.add(w.project() + " " + w.key() + " " + name));
      containers.addAll(Corpus.containerKeys(w));
      table.workload(w.project(), w.replicas(), w.restartable() && !selected.isEmpty());
    }

    assertThat(containers)
        .as("the corpus's containers are those of expectations.tsv")
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    StringBuilder detail = new StringBuilder();
    for (String key : containers) {
      Expectation e = expected.get(key);
      ContainerView c = views.get(key);
      table.container(e, injected.contains(key), e.init() ? "init" : Corpus.source(c, images));
      detail.append(
          String.format(
              "%-70s %-5s %-8s %s%n",
              key,
              e.jvm() ? "jvm" : "other",
              injected.contains(key) ? "injected" : "-",
              e.init() ? "init container (chosen only by name)" : decidedBy(c, images)));
    }
    System.out.println(
        "Corpus decisions (default policy, detection auto), " + stage + " the image probe:");
    System.out.print(table.render("restarts"));
    System.out.print(detail);
    if (images == ImageVerdicts.NONE) {
      assertThat(Corpus.awaitingProbe(expected))
          .as("each container awaiting the probe is one the spec says nothing of")
          .allSatisfy(
              key ->
                  assertThat(JvmDetection.of(views.get(key)).verdict()).isEqualTo(Verdict.UNKNOWN));
    }
    return injected;
  }

  private static String decidedBy(ContainerView c, ImageVerdicts images) {
    return Corpus.source(c, images).equals("sidecar")
        ? "known sidecar (never instrumented)"
        : JvmDetection.of(c, images).source();
  }
}
