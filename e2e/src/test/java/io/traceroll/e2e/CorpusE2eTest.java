package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.Corpus;
import io.traceroll.policy.Corpus.Expectation;
import io.traceroll.policy.Corpus.Workload;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.Naming;
import io.traceroll.policy.PodView;
import io.traceroll.policy.PodView.ContainerView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The corpus of public projects' workload manifests ({@link Corpus}, e2e/corpus/PROVENANCE.md),
 * whichever projects are present, applied through the real API server into namespaces not yet
 * governed (one per project), then governed by the sample policy, whose rollout instruments the
 * running workloads: every application container the projects' sources say runs a JVM gets the
 * agent but those whose spec says nothing (they wait for the image probe, which cannot run on KWOK
 * nodes), no other container changes, every value the user gave is kept, and only workloads with an
 * instrumented container are restarted, once each. Bare Pods (the OpenTelemetry operator's tests
 * have some) are never restarted and keep their containers as they were; none of the corpus's would
 * get the agent.
 *
 * <p>What the manifests are given to run on this cluster's KWOK nodes, changed in code only: the
 * test namespace, {@code nodeSelector: {type: kwok}} (Sock Shop asks for {@code
 * beta.kubernetes.io/os}, which the KWOK nodes lack, and no pod may land on the real node), and the
 * ServiceAccounts the templates name (the tests read workloads only). Pods on KWOK never run their
 * containers, so the images need not exist. A StatefulSet's volumeClaimTemplates become emptyDir
 * volumes (the cluster has three small PersistentVolumes; Istio's Loki asks for one).
 */
class CorpusE2eTest extends RolloutE2eBase {
  static final Duration ROLLOUT = Duration.ofMinutes(4);
  static final List<String> KINDS = List.of("Deployment", "StatefulSet", "DaemonSet", "Pod");

  /**
   * A workload as applied: its namespace, the object created, the pods (by uid) before the rollout.
   */
  record Applied(Workload workload, String ns, HasMetadata object, Map<String, Pod> before) {
    String key() {
      return workload.project() + " " + workload.key();
    }
  }

  @Test
  void everyJvmContainerOfTheCorpusIsInstrumentedAndNothingElseChanges() throws Exception {
    Map<String, Path> projects = Corpus.projects();
    assumeTrue(!projects.isEmpty(), Corpus.MISSING);
    System.out.print("Corpus projects:\n" + Corpus.describe(projects));
    List<Workload> workloads = Corpus.workloads(projects);
    assertThat(workloads)
        .as("kinds this test can wait for")
        .allSatisfy(w -> assertThat(KINDS).contains(w.kind()));
    Map<String, Expectation> expected = Corpus.expected(projects.keySet());

    // The workloads run first, in namespaces no policy governs yet.
    Map<String, String> namespaceOf = new LinkedHashMap<>();
    List<Applied> applied = new ArrayList<>();
    for (Workload w : workloads) {
      String ns = namespaceOf.computeIfAbsent(w.project(), p -> namespace("corpus-" + p, Map.of()));
      createServiceAccounts(ns, w);
      HasMetadata object = forKwok(w, ns);
      cluster.client.resource(object).create();
      applied.add(new Applied(w, ns, object, Map.of()));
    }
    await()
        .atMost(TestCluster.timeout())
        .until(() -> applied.stream().allMatch(a -> ready(a.object())));
    applied.replaceAll(a -> new Applied(a.workload(), a.ns(), a.object(), pods(a)));
    assertThat(applied)
        .allSatisfy(
            a ->
                assertThat(a.before().values())
                    .as(a.key())
                    .allSatisfy(
                        p ->
                            assertThat(TestCluster.annotations(p))
                                .doesNotContainKey(Traceroll.INJECTED_ANNOTATION)));

    // Then the sample policy governs them and rolls tracing out.
    String policyNs = namespace("obs-corpus", Map.of());
    // KWOK runs no container, so no agent can contact the operator: the gate asks for readiness.
    TracingPolicy policy = TestCluster.kwokSample("tracingpolicy-otlp.yaml", policyNs);
    policy.getSpec().getRollout().setMaxConcurrent(10);
    policy.getSpec().getRollout().getHealthGate().setTimeout("60s");
    cluster.client.resource(policy).create();
    InjectionSettings settings = InjectionSettings.of(policy(policyNs).get());
    Set<String> restartExpected = new TreeSet<>();
    for (Applied a : applied) {
      boolean injects =
          InjectionDecision.of(
                  settings, PodView.of(a.workload().template()), a.ns(), ImageVerdicts.NONE)
              .injects();
      assertThat(injects && !a.workload().restartable())
          .as("%s: a bare Pod the policy would inject, which no rollout restarts", a.key())
          .isFalse();
      if (injects) {
        restartExpected.add(a.key());
      }
    }
    namespaceOf.values().forEach(ns -> governBy(ns, policyNs));

    long deadline = System.nanoTime() + ROLLOUT.toNanos();
    RolloutStatus rollout = rollout(policyNs);
    while (System.nanoTime() < deadline && !done(rollout, restartExpected.size())) {
      Thread.sleep(500);
      rollout = rollout(policyNs);
    }
    assertThat(rollout).isNotNull();
    assertThat(rollout.getFailed() + rollout.getRolledBack())
        .as("failed or rolled back, status %s", rollout.getSummary())
        .isZero();
    assertThat(rollout.getTotal()).isEqualTo(restartExpected.size());
    assertThat(rollout.getInstrumented())
        .as("instrumented, status %s", rollout.getSummary())
        .isEqualTo(restartExpected.size());

    // The old pods of restarted workloads are gone at once on KWOK; wait for the counts to settle.
    await()
        .atMost(TestCluster.timeout())
        .until(() -> applied.stream().allMatch(a -> settled(a, restartExpected)));
    Corpus.Table table = new Corpus.Table();
    Set<String> injected = new TreeSet<>();
    Set<String> restarted = new TreeSet<>();
    for (Applied a : applied) {
      Map<String, Pod> after = pods(a);
      boolean wasRestarted = restartedAt(a) != null;
      assertThat(revisions(a))
          .as(
              "%s: template revisions (restarted: %s), so at most one restart",
              a.key(), wasRestarted)
          .isEqualTo(wasRestarted ? 2 : 1);
      if (wasRestarted) {
        restarted.add(a.key());
      } else {
        assertThat(after.keySet()).as("%s: the same pods", a.key()).isEqualTo(a.before().keySet());
      }
      table.workload(a.workload().project(), after.size(), wasRestarted);
      Pod before = a.before().values().iterator().next();
      for (Pod pod : after.values()) {
        injected.addAll(assertContainers(a, before, pod, expected));
      }
      for (String key : Corpus.containerKeys(a.workload())) {
        Expectation e = expected.get(key);
        table.container(e, injected.contains(key), source(a.workload(), e));
      }
    }
    System.out.println("Corpus through the API server (rollout " + rollout.getSummary() + "):");
    System.out.print(table.render("restarted"));

    assertThat(restarted).as("workloads restarted").isEqualTo(restartExpected);
    Corpus.assertInjected(expected, injected, Corpus.awaitingProbe(expected));
  }

  /**
   * Checks each container of a live pod against the same container of a pod from before the
   * rollout, and returns the keys of those that carry the agent. An instrumented container keeps
   * its image, command, resources, mounts and every variable, JAVA_TOOL_OPTIONS extended; any other
   * container, init containers included, is exactly as before.
   */
  private static Set<String> assertContainers(
      Applied a, Pod before, Pod pod, Map<String, Expectation> expected) {
    Set<String> injected = new HashSet<>();
    Map<String, Container> old = containers(before);
    List<Container> all =
        Stream.concat(
                pod.getSpec().getInitContainers().stream(), pod.getSpec().getContainers().stream())
            .filter(c -> !c.getName().equals(Naming.AGENT_INIT_CONTAINER))
            .toList();
    assertThat(all.stream().map(Container::getName))
        .as("%s: the containers of the pod before", a.key())
        .containsExactlyInAnyOrderElementsOf(old.keySet());
    for (Container c : all) {
      String key = a.key() + " " + c.getName();
      // A restarted pod's service-account token volume has a new generated name.
      Container was = withoutTokenMount(old.get(c.getName()));
      c = withoutTokenMount(c);
      assertTemplateValuesKept(key, a.workload(), c);
      // The agent joins the container's own JAVA_TOOL_OPTIONS, else _JAVA_OPTIONS (so one from
      // the image or an envFrom source still applies): never a JAVA_TOOL_OPTIONS of our own.
      boolean ownOptions = names(was).contains("JAVA_TOOL_OPTIONS");
      String variable = ownOptions ? "JAVA_TOOL_OPTIONS" : "_JAVA_OPTIONS";
      String options = value(c, variable);
      if (options == null || !options.contains("-javaagent:")) {
        assertThat(c).as("%s: untouched", key).isEqualTo(was);
        continue;
      }
      injected.add(key);
      if (!ownOptions) {
        assertThat(names(c))
            .as("%s: no JAVA_TOOL_OPTIONS added", key)
            .doesNotContain("JAVA_TOOL_OPTIONS");
      }
      assertThat(expected.get(key).init()).as("%s: an init container", key).isFalse();
      assertThat(pod.getSpec().getInitContainers().stream().map(Container::getName))
          .contains(Naming.AGENT_INIT_CONTAINER);
      assertThat(TestCluster.annotations(pod)).containsKey(Traceroll.INJECTED_ANNOTATION);
      assertThat(c.getImage()).isEqualTo(was.getImage());
      assertThat(c.getCommand()).isEqualTo(was.getCommand());
      assertThat(c.getArgs()).isEqualTo(was.getArgs());
      assertThat(c.getResources()).as("%s: resources", key).isEqualTo(was.getResources());
      assertThat(c.getVolumeMounts()).as("%s: mounts", key).containsAll(was.getVolumeMounts());
      assertThat(names(c)).contains("OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT");
      for (EnvVar e : was.getEnv()) {
        if (COMPOSED.contains(e.getName())) {
          assertThat(value(c, e.getName())).as("%s: %s", key, e.getName()).contains(e.getValue());
        } else {
          assertThat(c.getEnv()).as("%s: env", key).contains(e);
        }
      }
    }
    return injected;
  }

  /** Every variable the manifest gives the container is in the live one, its value unchanged. */
  private static void assertTemplateValuesKept(String key, Workload w, Container live) {
    ContainerView template =
        Stream.concat(
                PodView.of(w.template()).initContainers().stream(),
                PodView.of(w.template()).containers().stream())
            .filter(c -> c.name().equals(live.getName()))
            .findFirst()
            .orElseThrow();
    Map<String, String> env = new HashMap<>();
    live.getEnv().forEach(e -> env.put(e.getName(), e.getValue() == null ? "" : e.getValue()));
    template
        .env()
        .forEach(
            (name, value) -> {
              assertThat(env).as("%s: %s", key, name).containsKey(name);
              if (COMPOSED.contains(name)) {
                assertThat(env.get(name)).as("%s: %s", key, name).contains(value);
              } else {
                assertThat(env.get(name)).as("%s: %s", key, name).isEqualTo(value);
              }
            });
  }

  /** The detection source of an application container, as the decision test counts it. */
  private static String source(Workload w, Expectation e) {
    if (e.init()) {
      return "init";
    }
    return PodView.of(w.template()).containers().stream()
        .filter(c -> c.name().equals(e.container()))
        .map(c -> Corpus.source(c, ImageVerdicts.NONE))
        .findFirst()
        .orElseThrow();
  }

  // --- applying the corpus ---

  /** The workload as this cluster can run it (see the class comment), in the namespace. */
  private static HasMetadata forKwok(Workload w, String ns) {
    ObjectNode object = w.object().deepCopy();
    ObjectNode meta = (ObjectNode) object.path("metadata");
    meta.put("namespace", ns);
    ObjectNode spec = (ObjectNode) object.path("spec");
    ObjectNode podSpec = (ObjectNode) new Workload(w.project(), object).template().path("spec");
    podSpec.putObject("nodeSelector").put("type", "kwok");
    if (spec.has("volumeClaimTemplates")) {
      for (var claim : spec.remove("volumeClaimTemplates")) {
        podSpec
            .withArray("volumes")
            .addObject()
            .put("name", claim.at("/metadata/name").asText())
            .putObject("emptyDir");
      }
    }
    return cluster.client.getKubernetesSerialization().unmarshal(object.toString());
  }

  private static void createServiceAccounts(String ns, Workload w) {
    for (String field : List.of("serviceAccountName", "serviceAccount")) {
      String name = w.template().path("spec").path(field).asText("");
      if (!name.isEmpty() && !name.equals("default")) {
        cluster
            .client
            .resource(
                new ServiceAccountBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(ns)
                    .endMetadata()
                    .build())
            .serverSideApply();
      }
    }
  }

  // --- reading the cluster ---

  /** A live workload's pod selector and template. */
  record Shape(LabelSelector selector, PodTemplateSpec template) {
    static Shape of(HasMetadata o) {
      if (o instanceof Deployment d) {
        return new Shape(d.getSpec().getSelector(), d.getSpec().getTemplate());
      }
      if (o instanceof StatefulSet s) {
        return new Shape(s.getSpec().getSelector(), s.getSpec().getTemplate());
      }
      DaemonSet ds = (DaemonSet) o;
      return new Shape(ds.getSpec().getSelector(), ds.getSpec().getTemplate());
    }
  }

  private static HasMetadata live(Applied a) {
    return cluster.client.resource(a.object()).get();
  }

  private static boolean ready(HasMetadata object) {
    HasMetadata o = cluster.client.resource(object).get();
    if (o instanceof Pod p) {
      return p.getStatus() != null
          && p.getStatus().getConditions().stream()
              .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }
    if (o instanceof Deployment d) {
      return d.getStatus() != null
          && d.getSpec().getReplicas().equals(d.getStatus().getReadyReplicas());
    }
    if (o instanceof StatefulSet s) {
      return s.getStatus() != null
          && s.getSpec().getReplicas().equals(s.getStatus().getReadyReplicas());
    }
    DaemonSet ds = (DaemonSet) o;
    return ds.getStatus() != null
        && ds.getStatus().getDesiredNumberScheduled() > 0
        && ds.getStatus().getDesiredNumberScheduled().equals(ds.getStatus().getNumberReady());
  }

  /** Ready again, with as many live pods as before, none of them left from before a restart. */
  private static boolean settled(Applied a, Set<String> restartExpected) {
    Map<String, Pod> now = pods(a);
    boolean replaced =
        !restartExpected.contains(a.key())
            || now.keySet().stream().noneMatch(a.before()::containsKey);
    return ready(a.object()) && now.size() == a.before().size() && replaced;
  }

  /** The workload's live pods (not being deleted), by uid; a bare Pod's is itself. */
  private static Map<String, Pod> pods(Applied a) {
    if (a.object() instanceof Pod) {
      Pod pod = (Pod) live(a);
      return pod == null || pod.getMetadata().getDeletionTimestamp() != null
          ? Map.of()
          : Map.of(pod.getMetadata().getUid(), pod);
    }
    LabelSelector selector = Shape.of(live(a)).selector();
    return cluster
        .client
        .pods()
        .inNamespace(a.ns())
        .withLabelSelector(selector)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .collect(Collectors.toMap(p -> p.getMetadata().getUid(), Function.identity()));
  }

  /** The restart annotation the rollout put on the pod template, or null (a bare Pod has none). */
  private static String restartedAt(Applied a) {
    if (a.object() instanceof Pod) {
      return null;
    }
    PodTemplateSpec template = Shape.of(live(a)).template();
    Map<String, String> annotations = template.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(Traceroll.RESTARTED_AT_ANNOTATION);
  }

  /**
   * Template revisions the workload's controller made: ReplicaSets or ControllerRevisions; one for
   * a bare Pod, which is never rolled.
   */
  private static int revisions(Applied a) {
    if (a.object() instanceof Pod) {
      return 1;
    }
    String uid = live(a).getMetadata().getUid();
    List<? extends HasMetadata> owned =
        a.object() instanceof Deployment
            ? cluster.client.apps().replicaSets().inNamespace(a.ns()).list().getItems()
            : cluster.client.apps().controllerRevisions().inNamespace(a.ns()).list().getItems();
    return (int)
        owned.stream()
            .filter(
                r ->
                    r.getMetadata().getOwnerReferences().stream()
                        .map(OwnerReference::getUid)
                        .anyMatch(uid::equals))
            .count();
  }

  private static boolean done(RolloutStatus r, int expected) {
    return r != null
        && r.getTotal() == expected
        && r.getInstrumented() == expected
        && r.getRestarting() == 0
        && r.getFailed() + r.getRolledBack() == 0;
  }

  private static Map<String, Container> containers(Pod pod) {
    Map<String, Container> out = new HashMap<>();
    pod.getSpec().getInitContainers().forEach(c -> out.put(c.getName(), c));
    pod.getSpec().getContainers().forEach(c -> out.put(c.getName(), c));
    return out;
  }

  private static String value(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  /**
   * Variables the webhook composes with the user's value rather than leaving alone: the agent
   * option appended, our resource attributes put before the user's (whose keys win).
   */
  private static final Set<String> COMPOSED =
      Set.of("JAVA_TOOL_OPTIONS", "OTEL_RESOURCE_ATTRIBUTES");

  /** The container without the kube-api-access-* mount the API server adds to every pod. */
  private static Container withoutTokenMount(Container c) {
    return new ContainerBuilder(c)
        .withVolumeMounts(
            c.getVolumeMounts().stream()
                .filter(m -> !m.getName().startsWith("kube-api-access-"))
                .toList())
        .build();
  }

  private static List<String> names(Container c) {
    return c.getEnv().stream().map(EnvVar::getName).toList();
  }
}
