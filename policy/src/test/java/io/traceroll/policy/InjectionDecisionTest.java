package io.traceroll.policy;

import static io.traceroll.policy.InjectionDecision.Reason.AGENT_PRESENT;
import static io.traceroll.policy.InjectionDecision.Reason.IMAGE_UNKNOWN;
import static io.traceroll.policy.InjectionDecision.Reason.NO_CONTAINERS;
import static io.traceroll.policy.InjectionDecision.Reason.NO_CONTAINER_SELECTED;
import static io.traceroll.policy.InjectionDecision.Reason.NO_JVM;
import static io.traceroll.policy.InjectionDecision.Reason.OPTED_OUT;
import static io.traceroll.policy.InjectionDecision.Reason.POD_SELECTOR;
import static io.traceroll.policy.TestPolicies.expression;
import static io.traceroll.policy.TestPolicies.json;
import static io.traceroll.policy.TestPolicies.requirement;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.traceroll.api.v1alpha1.JvmDetectionMode;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.policy.InjectionDecision.Inject;
import io.traceroll.policy.InjectionDecision.Reason;
import io.traceroll.policy.InjectionDecision.Skip;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one rule of what a policy injects into a pod of a namespace it governs: each row a policy
 * (its podSelector or containerNames), a pod, and the decision, written "inject a, b" (the
 * containers, init containers first) or the reason of the skip.
 */
class InjectionDecisionTest {
  static final Consumer<TracingPolicy> ANY = p -> {};

  /** A policy change, a pod (JSON with single quotes), and the decision expected. */
  record Row(String name, Consumer<TracingPolicy> policy, String pod, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row row(String name, Consumer<TracingPolicy> policy, String pod, Reason skip) {
    return new Row(name, policy, pod, skip.name());
  }

  static Row row(String name, Consumer<TracingPolicy> policy, String pod, String... inject) {
    return new Row(name, policy, pod, "inject " + String.join(", ", inject));
  }

  static Stream<Row> rows() {
    return Stream.of(
        // --- opting out ---
        row("opt-out annotation", ANY, pod(optOut("annotations"), "app"), OPTED_OUT),
        row("opt-out label", ANY, pod(optOut("labels"), "app"), OPTED_OUT),
        row("opt-out in capitals", ANY, pod(annotation("inject", "FALSE"), "app"), OPTED_OUT),
        row("inject=true is no opt-out", ANY, pod(annotation("inject", "true"), "app"), "app"),
        row("opt-out before podSelector", TIER_DB, pod(optOut("labels"), "app"), OPTED_OUT),
        row("opt-out before containers", ANY, pod(optOut("annotations")), OPTED_OUT),
        // --- the policy's podSelector ---
        row("tier=db, tier web", TIER_DB, "{'metadata':{'labels':{'tier':'web'}}}", POD_SELECTOR),
        row("tier=db, tier db", TIER_DB, "{'metadata':{'labels':{'tier':'db'}}}", NO_CONTAINERS),
        row("tier=db, tier db, app", TIER_DB, pod("'labels':{'tier':'db'}", "app"), "app"),
        row("web, no skip: met", WEB_NOT_SKIPPED, WEB_POD, NO_CONTAINERS),
        row(
            "web, no skip: met, app",
            WEB_NOT_SKIPPED,
            pod("'labels':{'tier':'web'}", "app"),
            "app"),
        row(
            "web, no skip: tier db",
            WEB_NOT_SKIPPED,
            "{'metadata':{'labels':{'tier':'db'}}}",
            POD_SELECTOR),
        row("web, no skip: skip set", WEB_NOT_SKIPPED, SKIPPED_WEB_POD, POD_SELECTOR),
        row(
            "web, no skip: no labels",
            WEB_NOT_SKIPPED,
            "{'metadata':{'name':'bare'}}",
            POD_SELECTOR),
        row("NotIn db: no labels", NOT_DB, "{'metadata':{'name':'bare'}}", NO_CONTAINERS),
        row("NotIn db: no metadata", NOT_DB, "{'spec':{}}", NO_CONTAINERS),
        row("NotIn db: no labels, app", NOT_DB, pod("'name':'bare'", "app"), "app"),
        row("NotIn db: tier db", NOT_DB, pod("'labels':{'tier':'db'}", "app"), POD_SELECTOR),
        row("DoesNotExist: no labels", NO_SKIP_LABEL, pod("", "app"), "app"),
        // --- no containers ---
        row("no spec", ANY, "{'metadata':{'name':'x'}}", NO_CONTAINERS),
        row("no containers list", ANY, "{'spec':{'restartPolicy':'Never'}}", NO_CONTAINERS),
        row("an empty containers list", ANY, pod(""), NO_CONTAINERS),
        row(
            "named init only",
            ANY,
            pod(annotation("container-names", "m"), "init:m"),
            NO_CONTAINERS),
        // --- which containers: by default ---
        row("every app container", ANY, pod("", "app", "worker"), "app", "worker"),
        row("no sidecar, by name or image", ANY, pod("", "envoy", "app", ISTIO_BY_IMAGE), "app"),
        row("only sidecars", ANY, pod("", "linkerd-proxy", "fluent-bit"), NO_CONTAINER_SELECTED),
        row("only a sidecar by image", ANY, pod("", LINKERD_BY_IMAGE), NO_CONTAINER_SELECTED),
        row("no init container by default", ANY, pod("", "init:migrate", "app"), "app"),
        // --- which containers: only JVMs (detection auto, the default) ---
        row(
            "a JVM beside a database",
            ANY,
            pod("", "app@eclipse-temurin:21", "db@postgres:16"),
            "app"),
        row("no JVM at all", ANY, pod("", "db@postgres:16", "cache@redis:7"), NO_JVM),
        row(
            "unknown images wait for the probe",
            ANY,
            pod("", "app@registry.example.com/app:1", "db@postgres:16"),
            IMAGE_UNKNOWN),
        row(
            "a JVM now, an unknown image later",
            ANY,
            pod("", "app", "api@registry.example.com/api:1"),
            "app"),
        row(
            "a name wins over an unknown image",
            names("api"),
            pod("", "api@registry.example.com/api:1"),
            "api"),
        row(
            "detection off: unknown images too",
            DETECTION_OFF,
            pod("", "api@registry.example.com/api:1"),
            "api"),
        row("detection off: every container", DETECTION_OFF, pod("", "db@postgres:16"), "db"),
        row("a name wins over detection", names("db"), pod("", "db@postgres:16"), "db"),
        // --- never a second tracing agent ---
        row("its own OpenTelemetry agent", ANY, withEnv(OTEL_AGENT), AGENT_PRESENT),
        row("another vendor's tracer", ANY, withEnv(DD_AGENT), AGENT_PRESENT),
        row("named, still not twice", names("app"), withEnv(DD_AGENT), AGENT_PRESENT),
        row("a JMX exporter is no tracer", ANY, withEnv(JMX_AGENT), "app"),
        row("our own agent is no second one", ANY, withEnv(OWN_AGENT), "app"),
        row(
            "a tracer in the arguments",
            ANY,
            "{'spec':{'containers':[{'name':'app','image':'shop:1','command':['java'],"
                + "'args':['-javaagent:/otel-auto-instrumentation-java/javaagent.jar','-jar',"
                + "'app.jar']}]}}",
            AGENT_PRESENT),
        row(
            "the other container still gets ours",
            ANY,
            "{'spec':{'containers':[{'name':'traced','image':'shop:1','env':[{'name':'JAVA_OPTS',"
                + "'value':'-javaagent:/opt/newrelic/newrelic.jar'}]},{'name':'app',"
                + "'image':'eclipse-temurin:21'}]}}",
            "app"),
        // --- which containers: named by the pod's annotation ---
        row("annotation: an init container", ANY, named("db-migrate"), "db-migrate"),
        row("annotation: init containers first", ANY, named("app,db-migrate"), "db-migrate", "app"),
        row("annotation: blanks dropped", ANY, named(" app,,worker "), "app", "worker"),
        row("annotation: blank names none", ANY, named("  "), "app", "worker"),
        row(
            "annotation: never our init",
            ANY,
            named("traceroll-agent-init"),
            NO_CONTAINER_SELECTED),
        row("annotation: nor a suffixed one", ANY, named("traceroll-agent-init-2, app"), "app"),
        row("annotation: never a sidecar", ANY, named("istio-proxy"), NO_CONTAINER_SELECTED),
        row("annotation: unknown name", ANY, named("missing"), NO_CONTAINER_SELECTED),
        // --- which containers: named by the policy ---
        row("policy's names", names("app", "db-migrate"), named(null), "db-migrate", "app"),
        row("annotation beats policy", names("app"), named("worker"), "worker"),
        row("policy names a sidecar", names("istio-proxy"), named(null), NO_CONTAINER_SELECTED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(Row row) {
    InjectionSettings settings = settings(row.policy());

    InjectionDecision decision = InjectionDecision.of(settings, PodView.of(json(row.pod())));

    assertThat(describe(decision)).isEqualTo(row.expected());
    assertThat(decision.injects()).isEqualTo(decision instanceof Inject);
    if (decision instanceof Inject inject) {
      assertThat(inject.settings()).isSameAs(settings);
    }
  }

  @Test
  void everySkipSaysWhy() {
    Skip optedOut = (Skip) decide(ANY, pod(optOut("labels"), "app"));
    assertThat(optedOut.message()).contains("opted out").contains("traceroll.io/inject=false");
    assertThat(((Skip) decide(TIER_DB, pod("", "app"))).message()).contains("podSelector");
    assertThat(((Skip) decide(ANY, pod(""))).message()).contains("no containers");
    assertThat(((Skip) decide(ANY, pod("", "envoy"))).message()).contains("no container selected");
    assertThat(((Skip) decide(ANY, pod("", "db@postgres:16"))).message())
        .isEqualTo("no container runs a JVM: db (image postgres (postgres))");
  }

  @Test
  void theImageProbeDecidesWhatTheSpecCannot() {
    String pod =
        pod(
            "",
            "web@registry.example.com/web:1.4.2",
            "api@registry.example.com/api:7",
            "cache@registry.example.com/cache:2");
    ImageVerdicts images =
        ImageVerdicts.of(
            java.util.Map.of(
                "a", verdict("registry.example.com/web:1.4.1", "jvm", "HotSpot refused the flag"),
                "b", verdict("registry.example.com/api:7", "not-jvm", "exited 2, no JVM"),
                "c", verdict("registry.example.com/cache:2", "inconclusive", "still running")));

    InjectionDecision decision =
        InjectionDecision.of(settings(ANY), PodView.of(json(pod)), "shop", images);

    assertThat(describe(decision)).isEqualTo("inject web");
    assertThat(((Inject) decision).evidence(PodView.of(json(pod))))
        .isEqualTo(
            "web (JVM: image probe of registry.example.com/web:1.4.1: HotSpot refused the flag)");
    // Before any probe, the pod waits (and says for what); a verdict that no JVM runs is final.
    Skip before =
        (Skip)
            InjectionDecision.of(settings(ANY), PodView.of(json(pod)), "shop", ImageVerdicts.NONE);
    assertThat(before.reason()).isEqualTo(IMAGE_UNKNOWN);
    assertThat(before.message())
        .startsWith("no container is known to run a JVM: web (nothing in the spec")
        .contains("image not probed yet");
    String notJvm = pod("", "api@registry.example.com/api:7");
    assertThat(
            ((Skip) InjectionDecision.of(settings(ANY), PodView.of(json(notJvm)), "shop", images))
                .message())
        .isEqualTo("no container runs a JVM: api (image probe: exited 2, no JVM)");
    String inconclusive = pod("", "cache@registry.example.com/cache:2");
    assertThat(
            ((Skip)
                    InjectionDecision.of(
                        settings(ANY), PodView.of(json(inconclusive)), "shop", images))
                .reason())
        .isEqualTo(IMAGE_UNKNOWN);
  }

  @Test
  void anImageWhoseOwnOptionsLoadATracerGetsNoSecondOne() {
    String image = "registry.example.com/billing:3";
    ImageVerdicts images =
        ImageVerdicts.of(
            java.util.Map.of(
                "a",
                ImageVerdicts.value(
                    new ImageVerdicts.Entry(
                        image,
                        JvmDetection.Verdict.JVM,
                        "a JVM refused the probe's option (exit 1); the image's"
                            + " JAVA_TOOL_OPTIONS: -javaagent:/dd/dd-java-agent.jar",
                        null,
                        TestPolicies.CREATED,
                        "/dd/dd-java-agent.jar"))));
    PodView plain = PodView.of(json(pod("", "app@" + image)));
    Skip skip = (Skip) InjectionDecision.of(settings(ANY), plain, "shop", images);
    assertThat(skip.reason()).isEqualTo(AGENT_PRESENT);
    assertThat(skip.message()).contains("/dd/dd-java-agent.jar");

    // A JAVA_TOOL_OPTIONS of the pod's own replaces the image's: its agent is gone.
    PodView own =
        PodView.of(
            json(
                "{'spec':{'containers':[{'name':'app','image':'"
                    + image
                    + "','env':[{'name':'JAVA_TOOL_OPTIONS','value':'-Xmx1g'}]}]}}"));
    assertThat(describe(InjectionDecision.of(settings(ANY), own, "shop", images)))
        .isEqualTo("inject app");
  }

  static String verdict(String image, String verdict, String evidence) {
    return ImageVerdicts.value(
        new ImageVerdicts.Entry(
            image,
            switch (verdict) {
              case "jvm" -> JvmDetection.Verdict.JVM;
              case "not-jvm" -> JvmDetection.Verdict.NOT_JVM;
              default -> JvmDetection.Verdict.UNKNOWN;
            },
            evidence,
            null,
            "2026-12-07T10:00:00Z"));
  }

  @Test
  void theContainersOfADecisionCannotChange() {
    List<String> names = new ArrayList<>(List.of("app"));
    Inject inject = new Inject(TestPolicies.settings(), names);
    names.add("worker");

    assertThat(inject.containers()).containsExactly("app").isUnmodifiable();
  }

  // --- policies ---

  static final Consumer<TracingPolicy> TIER_DB =
      podSelector(new LabelSelectorBuilder().addToMatchLabels("tier", "db").build());
  static final Consumer<TracingPolicy> NOT_DB = podSelector(expression("tier", "NotIn", "db"));
  static final Consumer<TracingPolicy> NO_SKIP_LABEL =
      podSelector(expression("traceroll.io/skip", "DoesNotExist"));
  static final Consumer<TracingPolicy> WEB_NOT_SKIPPED =
      podSelector(
          new LabelSelectorBuilder()
              .addToMatchLabels("tier", "web")
              .addToMatchExpressions(requirement("traceroll.io/skip", "DoesNotExist"))
              .build());

  static Consumer<TracingPolicy> podSelector(LabelSelector selector) {
    return p -> p.getSpec().getSelector().setPodSelector(selector);
  }

  /** The policy's java.containerNames. */
  static Consumer<TracingPolicy> names(String... names) {
    return p -> p.getSpec().getJava().setContainerNames(new ArrayList<>(List.of(names)));
  }

  static InjectionSettings settings(Consumer<TracingPolicy> change) {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    change.accept(policy);
    return InjectionSettings.of(policy);
  }

  // --- pods ---

  static InjectionDecision decide(Consumer<TracingPolicy> policy, String pod) {
    return InjectionDecision.of(settings(policy), PodView.of(json(pod)));
  }

  static final String WEB_POD =
      "{'metadata':{'name':'p','labels':{'tier':'web'}},'spec':{'containers':[]}}";
  static final String SKIPPED_WEB_POD =
      "{'metadata':{'labels':{'tier':'web','traceroll.io/skip':'yes'}}}";
  static final Consumer<TracingPolicy> DETECTION_OFF =
      p -> p.getSpec().getJava().setDetection(JvmDetectionMode.OFF);

  static final String ISTIO_BY_IMAGE = "proxy@docker.io/istio/proxyv2:1.24.0";
  static final String LINKERD_BY_IMAGE = "proxy@cr.l5d.io/linkerd/proxy:stable-2.14";

  static String optOut(String where) {
    return "'" + where + "':{'traceroll.io/inject':'false'}";
  }

  /** The metadata field of one traceroll.io/ annotation. */
  static final String OTEL_AGENT = "-Xmx512m -javaagent:/opt/opentelemetry-javaagent.jar";

  static final String DD_AGENT = "-javaagent:/dd/dd-java-agent.jar -Ddd.service=shop";
  static final String JMX_AGENT = "-javaagent:/opt/jmx_prometheus_javaagent-1.0.1.jar=9404:/c.yml";
  static final String OWN_AGENT = "-javaagent:/traceroll/agent/javaagent.jar";

  /** A pod whose one container, app, has JAVA_TOOL_OPTIONS set to this. */
  static String withEnv(String javaToolOptions) {
    return "{'spec':{'containers':[{'name':'app','image':'shop:1','env':[{'name':"
        + "'JAVA_TOOL_OPTIONS','value':'"
        + javaToolOptions
        + "'}]}]}}";
  }

  static String annotation(String name, String value) {
    return "'annotations':{'traceroll.io/" + name + "':'" + value + "'}";
  }

  /**
   * A pod with this metadata (JSON fields) and containers: "name", "name@image", or "init:name" for
   * an init container; the image, when not given, is a JVM's by its name.
   */
  static String pod(String metadata, String... containers) {
    List<String> inits = new ArrayList<>();
    List<String> apps = new ArrayList<>();
    for (String c : containers) {
      boolean init = c.startsWith("init:");
      String[] nameAndImage = c.replace("init:", "").split("@", 2);
      String image =
          nameAndImage.length > 1
              ? nameAndImage[1]
              : "registry.example.com/java/" + nameAndImage[0] + ":1";
      (init ? inits : apps).add("{'name':'" + nameAndImage[0] + "','image':'" + image + "'}");
    }
    return "{'metadata':{"
        + metadata
        + "},'spec':{'initContainers':["
        + String.join(",", inits)
        + "],'containers':["
        + String.join(",", apps)
        + "]}}";
  }

  /**
   * A pod whose annotation names these containers (null: no annotation), with init containers
   * traceroll-agent-init, traceroll-agent-init-2 and db-migrate, and containers app, worker and
   * istio-proxy.
   */
  static String named(String names) {
    return pod(
        names == null ? "" : annotation("container-names", names),
        "init:traceroll-agent-init",
        "init:traceroll-agent-init-2",
        "init:db-migrate",
        "app",
        "worker",
        "istio-proxy");
  }

  static String describe(InjectionDecision decision) {
    return decision instanceof Inject inject
        ? "inject " + String.join(", ", inject.containers())
        : ((Skip) decision).reason().name();
  }

  @Test
  void aPodOfARolledBackWorkloadGetsNothingInItsNamespaceOnly() {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    InjectionSettings plain = InjectionSettings.of(policy);
    RolloutStatus rollout = new RolloutStatus();
    rollout.setWorkloads(
        List.of(
            RolledBackWorkloadsTest.entry(
                "checkout",
                WorkloadPhase.RolledBack,
                plain.injectionHash(),
                RolledBackWorkloadsTest.selector("app", "checkout"))));
    InjectionSettings settings =
        plain.withRolledBack(RolledBackWorkloads.of(rollout, plain.injectionHash()));
    PodView pod = PodView.of(json(pod("'labels':{'app':'checkout'}", "app")));

    assertThat(InjectionDecision.of(settings, pod, "shop", ImageVerdicts.NONE))
        .isInstanceOfSatisfying(
            Skip.class,
            s -> {
              assertThat(s.reason()).isEqualTo(Reason.ROLLED_BACK);
              assertThat(s.message()).contains("Deployment/shop/checkout", "traceroll.io/retry");
            });
    assertThat(InjectionDecision.of(settings, pod, "other", ImageVerdicts.NONE).injects()).isTrue();
    assertThat(InjectionDecision.of(plain, pod, "shop", ImageVerdicts.NONE).injects()).isTrue();
  }
}
