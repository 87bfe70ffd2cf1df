package io.traceroll.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.webhook.bench.AdmissionLoad;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator at cluster scale, on KWOK nodes of the benchmark cluster: N namespaces with one
 * Deployment of R replicas each (N x R pods), governed by P policies, then by one. Not a test: run
 * with {@code make bench-scale}.
 *
 * <ol>
 *   <li>Cluster: extra KWOK nodes, the namespaces (labelled for injection and into P groups), the
 *       Deployments, until every pod is Ready. No policy, no operator yet.
 *   <li>Idle: the operator jar starts with the Deployment's JVM options and its own defaults; from
 *       /readyz, 30 s of idle with every pod cached: RSS, peak RSS, threads, CPU.
 *   <li>P policies, policy i selecting group g&lt;i&gt;, each with {@code rollout.dryRun}: time
 *       until all are Ready (which waits for each one's webhook to be confirmed by a probe pod),
 *       CPU, peak.
 *   <li>Those deleted, one policy governing every benchmark namespace (maxConcurrent 50, no
 *       agent-contact gate on KWOK): time until N workloads are instrumented, most restarting at
 *       once, CPU, peak, pods that ended with the agent.
 *   <li>Webhook under load with the caches full: {@code admissionload} (as {@code make bench}
 *       builds it) posts AdmissionReviews of a Deployment pod in a governed namespace to the
 *       running operator's webhook at 1,000/s for 10 s over HTTP/2, after 10 s of warm-up.
 * </ol>
 *
 * <p>Arguments: namespaces (default 1000), replicas per Deployment (default 10), policies (default
 * 100), minutes each phase may take before the benchmark fails (default 20). The jar is {@code
 * $TRACEROLL_JAR}, else the one the build made; the load client is {@code $ADMISSIONLOAD}.
 */
public final class ScaleBenchmark {
  /** On every benchmark namespace, Deployment and pod. */
  static final String SCALE_LABEL = "bench.traceroll.io/scale";

  /** The namespace's group, g0 .. g(P-1): policy i of phase 3 selects group gi. */
  static final String GROUP_LABEL = "bench.traceroll.io/group";

  static final String POLICY_NAMESPACE = "scale-obs";
  static final String ALL_POLICY = "all";

  /** Pods each extra KWOK node takes. */
  static final int NODE_PODS = 2000;

  static final int MAX_CONCURRENT = 50;
  static final int LOAD_RATE = 1000;
  static final int LOAD_SECONDS = 10;
  static final int LOAD_WARMUP_SECONDS = 10;
  static final int IDLE_SECONDS = 30;

  /** Threads that create the cluster's objects. */
  static final int SETUP_THREADS = 16;

  private static final Map<String, String> results = new LinkedHashMap<>();
  private static Duration phaseTimeout;
  private static KubernetesClient client;

  public static void main(String[] args) {
    int status = 0;
    try {
      run(args);
    } catch (PhaseTimeout e) {
      System.err.println("[scale] FAILED: " + e.getMessage());
      status = 2;
    } catch (Throwable e) {
      System.err.println("[scale] FAILED:");
      e.printStackTrace();
      status = 1;
    }
    if (status != 0 && !results.isEmpty()) {
      System.err.println("[scale] numbers so far: " + results);
    }
    System.exit(status);
  }

  private static void run(String[] args) throws Exception {
    int namespaces = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int replicas = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int policies = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    phaseTimeout = Duration.ofMinutes(args.length > 3 ? Long.parseLong(args[3]) : 20);
    int pods = namespaces * replicas;
    long benchStart = System.nanoTime();

    TestCluster cluster = new TestCluster();
    cluster.installCrd();
    cluster.ensureNamespace(TestCluster.OPERATOR_NAMESPACE);
    cluster.ensureNamespace(POLICY_NAMESPACE);
    cluster.client.close();
    Config config = Config.autoConfigure(null);
    config.setRequestTimeout(120_000); // lists of 10,000 pods on a busy API server
    client = new KubernetesClientBuilder().withConfig(config).build();

    int nodes = Math.max(1, (int) Math.ceil(pods * 1.25 / NODE_PODS));
    log(
        "%d namespaces x %d replicas = %d pods, %d policies; %d extra KWOK nodes of %d pods;"
            + " phases time out after %d min",
        namespaces, replicas, pods, policies, nodes, NODE_PODS, phaseTimeout.toMinutes());

    // ---- 1. the cluster
    long t = System.nanoTime();
    createNodes(nodes);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < namespaces; i++) {
      names.add(String.format(Locale.ROOT, "scale-%04d", i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(SETUP_THREADS);
    List<Callable<Void>> creates = new ArrayList<>();
    for (int i = 0; i < namespaces; i++) {
      String ns = names.get(i);
      String group = "g" + (i % policies);
      creates.add(
          () -> {
            createWorkload(ns, group, replicas);
            return null;
          });
    }
    for (Future<Void> f : pool.invokeAll(creates)) {
      f.get();
    }
    pool.shutdown();
    double created = seconds(t);
    log(
        "created %d namespaces and Deployments in %.1f s; waiting for %d pods",
        namespaces, created, pods);
    await(
        "all " + pods + " pods Ready",
        2000,
        () -> {
          int ready = 0;
          for (Deployment d : list(o -> client.apps().deployments().inAnyNamespace().list(o))) {
            if (d.getStatus() != null && d.getStatus().getReadyReplicas() != null) {
              ready += d.getStatus().getReadyReplicas();
            }
          }
          progress("pods Ready %d/%d", ready, pods);
          return ready >= pods;
        });
    double clusterReady = seconds(t);
    PodCount counted = countPods();
    log(
        "cluster ready in %.1f s: %d pods, %d Running and Ready (KWOK), on %d nodes",
        clusterReady, counted.total, counted.ready, counted.nodes);
    if (counted.ready < pods) {
      throw new IllegalStateException(
          "only " + counted.ready + " of " + pods + " pods are Running and Ready");
    }
    results.put("cluster ready", fmt("%.0f s", clusterReady));

    // ---- 2. idle with every pod cached
    OperatorProcess operator = null;
    try {
      t = System.nanoTime();
      operator =
          OperatorProcess.start(
              TestCluster.OPERATOR_NAMESPACE,
              ProcessBenchmark.DEFAULTS,
              OperatorProcess.Ports.free(),
              OperatorProcess.JAR,
              ProcessBenchmark.JVM);
      OperatorProcess started = operator;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (InterruptedException ignored) {
                      // exiting anyway
                    }
                  }));
      long pid = operator.pid();
      double ready = seconds(t);
      log(
          "operator (pid %d, JVM %s) ready in %.1f s; idle %d s",
          pid, String.join(" ", ProcessBenchmark.JVM), ready, IDLE_SECONDS);
      Usage idle = new Usage(pid);
      for (int s = 0; s < IDLE_SECONDS; s++) {
        Thread.sleep(1000);
        idle.sample();
      }
      idle.end();
      long threads = ProcessBenchmark.status(pid, "Threads");
      log(
          "idle with %d pods cached: RSS %d MiB, peak RSS %d MiB (VmHWM%s), %d threads, CPU %.2f s"
              + " per %d s",
          pods,
          idle.rssKb / 1024,
          idle.hwmKb / 1024,
          idle.hwmNote(),
          threads,
          idle.cpu,
          IDLE_SECONDS);
      log("threads by name: %s", ProcessBenchmark.threadNames(pid));
      results.put("start to ready", fmt("%.1f s", ready));
      results.put("idle RSS", mib(idle.rssKb));
      results.put("idle peak RSS", mib(idle.hwmKb));
      results.put("idle threads", Long.toString(threads));
      results.put("idle CPU per 30 s", fmt("%.2f s", idle.cpu));

      // ---- 3. P dry-run policies, each governing one group
      Usage many = new Usage(pid);
      t = System.nanoTime();
      pool = Executors.newFixedThreadPool(Math.min(SETUP_THREADS, policies));
      List<Callable<Void>> applies = new ArrayList<>();
      for (int i = 0; i < policies; i++) {
        TracingPolicy policy = policy("g" + i, Map.of(GROUP_LABEL, "g" + i));
        policy.getSpec().getRollout().setDryRun(true);
        applies.add(
            () -> {
              client.resource(policy).create();
              return null;
            });
      }
      for (Future<Void> f : pool.invokeAll(applies)) {
        f.get();
      }
      pool.shutdown();
      AtomicLong firstReady = new AtomicLong();
      await(
          "all " + policies + " policies Ready",
          500,
          () -> {
            many.sample();
            long readyCount =
                client
                    .resources(TracingPolicy.class)
                    .inNamespace(POLICY_NAMESPACE)
                    .list()
                    .getItems()
                    .stream()
                    .filter(p -> "True".equals(TestCluster.readyStatus(p)))
                    .count();
            if (readyCount > 0) {
              firstReady.compareAndSet(0, System.nanoTime());
            }
            progress("policies Ready %d/%d", readyCount, policies);
            return readyCount == policies;
          });
      double policiesReady = seconds(t);
      many.end();
      int replicaSets = list(o -> client.apps().replicaSets().inAnyNamespace().list(o)).size();
      log(
          "%d dry-run policies Ready in %.1f s (first after %.1f s): operator CPU %.1f s, peak RSS"
              + " %d MiB (VmHWM%s); %d ReplicaSets for %d Deployments (dry run restarts nothing)",
          policies,
          policiesReady,
          (firstReady.get() - t) / 1e9,
          many.cpu,
          many.hwmKb / 1024,
          many.hwmNote(),
          replicaSets,
          namespaces);
      results.put("P policies Ready", fmt("%.1f s", policiesReady));
      results.put("P policies CPU", fmt("%.1f s", many.cpu));
      results.put("P policies peak RSS", mib(many.hwmKb));

      // ---- 4. one policy over every namespace, rolled out
      t = System.nanoTime();
      client.resources(TracingPolicy.class).inNamespace(POLICY_NAMESPACE).delete();
      await(
          "the " + policies + " policies deleted",
          500,
          () ->
              client
                  .resources(TracingPolicy.class)
                  .inNamespace(POLICY_NAMESPACE)
                  .list()
                  .getItems()
                  .isEmpty());
      double deleted = seconds(t);
      log("%d policies deleted in %.1f s", policies, deleted);
      results.put("P policies deleted", fmt("%.1f s", deleted));

      Usage rollout = new Usage(pid);
      TracingPolicy all =
          policy(
              ALL_POLICY,
              Map.of(Traceroll.INJECT_LABEL, Traceroll.INJECT_ENABLED, SCALE_LABEL, "true"));
      all.getSpec().getRollout().setMaxConcurrent(MAX_CONCURRENT);
      t = System.nanoTime();
      client.resource(all).create();
      int[] maxRestarting = {0};
      RolloutStatus[] last = {null};
      double[] policyReadyAt = {0};
      long start = t;
      await(
          namespaces + " workloads instrumented",
          1000,
          () -> {
            rollout.sample();
            TracingPolicy current =
                client
                    .resources(TracingPolicy.class)
                    .inNamespace(POLICY_NAMESPACE)
                    .withName(ALL_POLICY)
                    .get();
            if (policyReadyAt[0] == 0 && "True".equals(TestCluster.readyStatus(current))) {
              policyReadyAt[0] = seconds(start);
            }
            RolloutStatus s =
                current == null || current.getStatus() == null
                    ? null
                    : current.getStatus().getRollout();
            if (s == null) {
              return false;
            }
            last[0] = s;
            maxRestarting[0] = Math.max(maxRestarting[0], s.getRestarting());
            progress(
                "instrumented %d/%d, restarting %d, failed %d, rolled back %d",
                s.getInstrumented(),
                namespaces,
                s.getRestarting(),
                s.getFailed(),
                s.getRolledBack());
            return s.getInstrumented() >= namespaces;
          });
      double rolledOut = seconds(t);
      rollout.end();
      int restarts =
          list(o -> client.apps().replicaSets().inAnyNamespace().list(o)).size() - namespaces;
      log(
          "rolled out to %d/%d workloads in %.1f s (policy Ready after %.1f s): at most %d"
              + " restarting at once, %d restarts, %d failed, %d rolled back; operator CPU %.1f s"
              + " (%.0f%% of one core), peak RSS %d MiB (VmHWM%s)",
          last[0].getInstrumented(),
          last[0].getTotal(),
          rolledOut,
          policyReadyAt[0],
          maxRestarting[0],
          restarts,
          last[0].getFailed(),
          last[0].getRolledBack(),
          rollout.cpu,
          100 * rollout.cpu / rolledOut,
          rollout.hwmKb / 1024,
          rollout.hwmNote());
      // The last restarts' old pods may still be going: count once the pods have settled.
      PodCount[] after = {null};
      try {
        awaitFor(
            Duration.ofMinutes(2),
            "pods settled",
            2000,
            () -> {
              after[0] = countPods();
              return after[0].total == pods && after[0].injected == pods;
            });
      } catch (PhaseTimeout notSettled) {
        log("pods not all settled with the agent within 2 min; counting as they are");
      }
      if (after[0] == null) {
        after[0] = countPods();
      }
      log(
          "pods with the agent (annotation %s): %d of %d (%d Running and Ready)",
          Traceroll.INJECTED_ANNOTATION, after[0].injected, after[0].total, after[0].ready);
      results.put("rollout to N", fmt("%.1f s", rolledOut));
      results.put("max restarting", Integer.toString(maxRestarting[0]));
      results.put("restarts", Integer.toString(restarts));
      results.put("failed / rolled back", last[0].getFailed() + " / " + last[0].getRolledBack());
      results.put("rollout CPU", fmt("%.1f s", rollout.cpu));
      results.put("rollout peak RSS", mib(rollout.hwmKb));
      results.put("pods injected", after[0].injected + "/" + after[0].total);

      // ---- 5. the webhook under load, caches full
      webhookLoad(operator, names.get(0));
      System.out.println();
      summary(namespaces, replicas, policies, nodes, seconds(benchStart));
    } finally {
      if (operator != null) {
        log("operator log: e2e/%s", newestOperatorLog());
        operator.close();
      }
      client.close();
    }
  }

  /** The log OperatorProcess writes for the process it started last (target/operator-*.log). */
  private static String newestOperatorLog() {
    try (var files = Files.list(Path.of("target"))) {
      return files
          .filter(f -> f.getFileName().toString().matches("operator-[0-9]+\\.log"))
          .max(java.util.Comparator.comparing(f -> f.toFile().lastModified()))
          .map(Path::toString)
          .orElse("target/operator-*.log");
    } catch (IOException e) {
      return "target/operator-*.log";
    }
  }

  // ---- phase 1 helpers

  /** KWOK nodes (labelled type=kwok, which the local cluster's KWOK manages) with room for pods. */
  private static void createNodes(int count) throws Exception {
    Map<String, Quantity> room =
        Map.of(
            "cpu", new Quantity("512"),
            "memory", new Quantity("2048Gi"),
            "ephemeral-storage", new Quantity("10Ti"),
            "pods", new Quantity(Integer.toString(NODE_PODS)));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = "kwok-scale-" + i;
      names.add(name);
      Node node =
          new NodeBuilder()
              .withNewMetadata()
              .withName(name)
              .addToLabels("type", "kwok")
              .addToLabels("kubernetes.io/hostname", name)
              .addToLabels("kubernetes.io/os", "linux")
              .addToLabels("kubernetes.io/arch", "amd64")
              .addToAnnotations("kwok.x-k8s.io/node", "fake")
              .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
              .endMetadata()
              .withNewStatus()
              .withAllocatable(room)
              .withCapacity(room)
              .endStatus()
              .build();
      client.resource(node).create();
    }
    await(
        count + " KWOK nodes Ready",
        500,
        () ->
            names.stream()
                .map(n -> client.nodes().withName(n).get())
                .allMatch(
                    n ->
                        n != null
                            && n.getStatus().getConditions() != null
                            && n.getStatus().getConditions().stream()
                                .anyMatch(
                                    c ->
                                        "Ready".equals(c.getType())
                                            && "True".equals(c.getStatus()))));
  }

  /**
   * A namespace for injection in its group, its default ServiceAccount (made here rather than by
   * the controller-manager, so the ReplicaSet's first pods are not refused for want of it and
   * retried with back-off), and its Deployment.
   */
  private static void createWorkload(String ns, String group, int replicas) {
    client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .addToLabels(Traceroll.INJECT_LABEL, Traceroll.INJECT_ENABLED)
                .addToLabels(GROUP_LABEL, group)
                .addToLabels(SCALE_LABEL, "true")
                .endMetadata()
                .build())
        .create();
    try {
      client
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName("default")
                  .withNamespace(ns)
                  .endMetadata()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) { // the controller-manager was first
        throw e;
      }
    }
    Deployment d = RolloutE2eBase.deployment(ns, "app", false);
    d.getSpec().setReplicas(replicas);
    d.getMetadata().setLabels(Map.of(SCALE_LABEL, "true"));
    d.getSpec().getTemplate().getMetadata().getLabels().put(SCALE_LABEL, "true");
    client.resource(d).create();
  }

  record PodCount(int total, int ready, int injected, long nodes) {}

  /** The benchmark's pods that are not going away: all, Running and Ready, with the agent. */
  private static PodCount countPods() {
    int total = 0;
    int ready = 0;
    int injected = 0;
    java.util.Set<String> nodes = new java.util.HashSet<>();
    for (Pod p : list(o -> client.pods().inAnyNamespace().list(o))) {
      if (p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      total++;
      if (p.getSpec().getNodeName() != null) {
        nodes.add(p.getSpec().getNodeName());
      }
      if (p.getStatus() != null
          && "Running".equals(p.getStatus().getPhase())
          && p.getStatus().getConditions() != null
          && p.getStatus().getConditions().stream()
              .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
        ready++;
      }
      if (TestCluster.annotations(p).containsKey(Traceroll.INJECTED_ANNOTATION)) {
        injected++;
      }
    }
    return new PodCount(total, ready, injected, nodes.size());
  }

  /** Every object labelled for the benchmark, listed in pages of 500. */
  private static <T extends HasMetadata> List<T> list(
      Function<ListOptions, ? extends KubernetesResourceList<T>> lister) {
    List<T> all = new ArrayList<>();
    String next = null;
    do {
      KubernetesResourceList<T> page =
          lister.apply(
              new ListOptionsBuilder()
                  .withLabelSelector(SCALE_LABEL + "=true")
                  .withLimit(500L)
                  .withContinue(next)
                  .build());
      all.addAll(page.getItems());
      next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
    } while (next != null && !next.isEmpty());
    return all;
  }

  // ---- phases 3 and 4

  /** The sample OTLP policy for KWOK (no agent-contact gate), selecting namespaces by labels. */
  private static TracingPolicy policy(String name, Map<String, String> namespaceLabels)
      throws IOException {
    TracingPolicy policy = TestCluster.kwokSample("tracingpolicy-otlp.yaml", POLICY_NAMESPACE);
    policy.getMetadata().setName(name);
    policy
        .getSpec()
        .getSelector()
        .setNamespaceSelector(new LabelSelectorBuilder().withMatchLabels(namespaceLabels).build());
    return policy;
  }

  // ---- phase 5

  private static void webhookLoad(OperatorProcess operator, String namespace) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path dir = Files.createDirectories(Path.of("target", "scale-bench"));
    Path ca = Files.writeString(dir.resolve("ca.pem"), webhookCa(operator));
    ObjectNode review = json.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "scale-bench");
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.put("namespace", namespace);
    request.put("operation", "CREATE");
    // The pod make bench posts: an app container (a JVM by its JAVA_TOOL_OPTIONS) and a sidecar.
    JsonNode pod =
        json.readTree(
            Path.of("../webhook/src/test/resources/admission/pods/deployment-pod.json").toFile());
    ((ObjectNode) pod.get("metadata")).put("namespace", namespace);
    request.set("object", pod);
    Path body = Files.write(dir.resolve("review.json"), json.writeValueAsBytes(review));
    log(
        "webhook load: %d admissions/s for %d s after %d s of warm-up, HTTP/2, pods of namespace"
            + " %s, to %s",
        LOAD_RATE, LOAD_SECONDS, LOAD_WARMUP_SECONDS, namespace, operator.webhookUrl());
    AdmissionLoad load =
        new AdmissionLoad(
            AdmissionLoad.findBinary(),
            operator.webhookUrl(),
            ca,
            body,
            LOAD_RATE,
            LOAD_SECONDS,
            LOAD_WARMUP_SECONDS,
            "h2");
    // The operator's counters and CPU at the start of the measured part: the client says when.
    AtomicReference<Map<String, Double>> before = new AtomicReference<>(Map.of());
    long[] ticksBefore = {0};
    JsonNode answers =
        load.run(
            () -> {
              try {
                ticksBefore[0] = ProcessBenchmark.cpuTicks(operator.pid());
                before.set(metrics(operator));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            line -> System.err.println("[admissionload] " + line));
    double cpu = (ProcessBenchmark.cpuTicks(operator.pid()) - ticksBefore[0]) / 100.0;
    Map<String, Double> after = metrics(operator);
    Map<String, Double> delta = new TreeMap<>();
    for (var e : after.entrySet()) {
      delta.put(e.getKey(), e.getValue() - before.get().getOrDefault(e.getKey(), 0.0));
    }
    Map<String, Long> outcomes = new TreeMap<>();
    delta.forEach(
        (k, v) -> {
          if (k.startsWith("result=") && v > 0) {
            outcomes.put(k.substring("result=".length()), Math.round(v));
          }
        });
    log(
        "webhook: %s; operator CPU %.1f s in the measured %d s",
        AdmissionLoad.describe(answers), cpu, LOAD_SECONDS);
    log("%s", AdmissionLoad.percentiles(answers));
    log(
        "server-side (traceroll_admission_duration buckets) p50 %s  p99 %s; answers by result"
            + " counted in the window %s",
        bucketQuantile(delta, 0.5), bucketQuantile(delta, 0.99), outcomes);
    results.put("webhook p50", fmt("%.2f ms", answers.path("p50").asDouble()));
    results.put("webhook p99", fmt("%.2f ms", answers.path("p99").asDouble()));
    results.put(
        "webhook failed",
        answers.path("failed").asInt()
            + "/"
            + (answers.path("answered").asInt() + answers.path("failed").asInt()));
    // Of the answers the operator counted after the client's cue (the first few of the window
    // fall before the counters are read): all of them should be injected.
    long counted = outcomes.values().stream().mapToLong(Long::longValue).sum();
    results.put(
        "webhook injected",
        fmt(
            "%.0f%% (%d of %d counted)",
            counted == 0 ? 0 : 100.0 * outcomes.getOrDefault("injected", 0L) / counted,
            outcomes.getOrDefault("injected", 0L),
            counted));
    results.put(
        "webhook server p50/p99", bucketQuantile(delta, 0.5) + " / " + bucketQuantile(delta, 0.99));
  }

  /** The CA the API server trusts for this operator's webhook, as PEM. */
  private static String webhookCa(OperatorProcess operator) {
    MutatingWebhookConfiguration mwc =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(TestCluster.WEBHOOK_CONFIGURATION)
            .get();
    if (mwc != null && mwc.getWebhooks() != null) {
      for (MutatingWebhook w : mwc.getWebhooks()) {
        String bundle = w.getClientConfig().getCaBundle();
        if (bundle != null && operator.webhookUrl().equals(w.getClientConfig().getUrl())) {
          String pem = new String(Base64.getDecoder().decode(bundle), StandardCharsets.US_ASCII);
          return pem.contains("BEGIN CERTIFICATE") ? pem : bundle;
        }
      }
    }
    throw new IllegalStateException("no CA bundle for " + operator.webhookUrl() + " in " + mwc);
  }

  private static final Pattern RESULT =
      Pattern.compile("(?m)^traceroll_admissions_total\\{result=\"([^\"]+)\",?}\\s+(\\S+)$");
  private static final Pattern BUCKET =
      Pattern.compile(
          "(?m)^traceroll_admission_duration_seconds_bucket\\{le=\"([^\"]+)\",?}\\s+(\\S+)$");

  /** Admissions by result ("result=injected") and latency buckets ("le=0.001"), cumulative. */
  private static Map<String, Double> metrics(OperatorProcess operator) throws Exception {
    String text = operator.get("/metrics");
    Map<String, Double> values = new TreeMap<>();
    Matcher m = RESULT.matcher(text);
    while (m.find()) {
      values.put("result=" + m.group(1), Double.parseDouble(m.group(2)));
    }
    m = BUCKET.matcher(text);
    while (m.find()) {
      values.put("le=" + m.group(1), Double.parseDouble(m.group(2)));
    }
    return values;
  }

  /** The smallest bucket bound holding the quantile of the window's admissions ("≤ 1 ms"). */
  private static String bucketQuantile(Map<String, Double> delta, double q) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    delta.forEach(
        (k, v) -> {
          if (k.startsWith("le=")) {
            String bound = k.substring(3);
            buckets.put(
                bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound), v);
          }
        });
    if (buckets.isEmpty() || buckets.lastEntry().getValue() <= 0) {
      return "n/a";
    }
    double total = buckets.lastEntry().getValue();
    for (var e : buckets.entrySet()) {
      if (e.getValue() >= q * total) {
        return e.getKey().isInfinite() ? "> 3 s" : fmt("≤ %s ms", trim(e.getKey() * 1000));
      }
    }
    return "n/a";
  }

  private static String trim(double ms) {
    return ms == Math.rint(ms) ? Long.toString((long) ms) : Double.toString(ms);
  }

  // ---- the summary

  private static void summary(int namespaces, int replicas, int policies, int nodes, double total) {
    List<String> columns = new ArrayList<>(List.of("namespaces", "replicas", "pods", "policies"));
    List<String> values =
        new ArrayList<>(
            List.of(
                fmt("%,d", namespaces),
                Integer.toString(replicas),
                fmt("%,d", namespaces * replicas),
                Integer.toString(policies)));
    results.forEach(
        (k, v) -> {
          columns.add(
              k.replace("P policies", policies + " policies").replace("to N", "to " + namespaces));
          values.add(v);
        });
    System.out.println("==== scale benchmark summary ====");
    System.out.printf(
        Locale.ROOT,
        "arguments: %d namespaces x %d replicas, %d policies (%d extra KWOK nodes of %d pods;"
            + " maxConcurrent %d; webhook load %d/s for %d s over HTTP/2); whole run %.0f s%n",
        namespaces,
        replicas,
        policies,
        nodes,
        NODE_PODS,
        MAX_CONCURRENT,
        LOAD_RATE,
        LOAD_SECONDS,
        total);
    for (int i = 4; i < columns.size(); i++) {
      System.out.printf(Locale.ROOT, "  %-26s %s%n", columns.get(i), values.get(i));
    }
    System.out.println("| " + String.join(" | ", columns) + " |");
    System.out.println("|" + " --- |".repeat(columns.size()));
    System.out.println("| " + String.join(" | ", values) + " |");
    System.out.println("==== end of summary ====");
  }

  // ---- measuring the operator process

  /**
   * The operator's CPU time and peak resident memory over a phase. The kernel's peak (VmHWM) is
   * reset at the start (writing 5 to clear_refs) where allowed, else it is the peak since start;
   * RSS is also sampled, and the larger of the two kept.
   */
  private static final class Usage {
    final long pid;
    final long ticks;
    final boolean hwmReset;
    long peakSampledKb;
    double cpu;
    long rssKb;
    long hwmKb;

    Usage(long pid) throws Exception {
      this.pid = pid;
      boolean reset;
      try {
        Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
        reset = true;
      } catch (IOException e) {
        reset = false;
      }
      this.hwmReset = reset;
      this.ticks = ProcessBenchmark.cpuTicks(pid);
      sample();
    }

    void sample() throws Exception {
      peakSampledKb = Math.max(peakSampledKb, ProcessBenchmark.status(pid, "VmRSS"));
    }

    void end() throws Exception {
      cpu = (ProcessBenchmark.cpuTicks(pid) - ticks) / 100.0;
      rssKb = ProcessBenchmark.status(pid, "VmRSS");
      hwmKb = Math.max(peakSampledKb, ProcessBenchmark.status(pid, "VmHWM"));
    }

    String hwmNote() {
      return hwmReset ? " over the phase" : " since start: clear_refs not writable";
    }
  }

  // ---- waiting

  static final class PhaseTimeout extends Exception {
    PhaseTimeout(String message) {
      super(message);
    }
  }

  @FunctionalInterface
  interface Check {
    boolean done() throws Exception;
  }

  private static void await(String what, long pollMillis, Check check) throws Exception {
    awaitFor(phaseTimeout, what, pollMillis, check);
  }

  private static void awaitFor(Duration timeout, String what, long pollMillis, Check check)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (check.done()) {
          return;
        }
      } catch (KubernetesClientException e) {
        // a busy API server timed out or refused a read: try again
        progress("(read failed: %s)", e.getMessage());
      }
      if (System.nanoTime() > deadline) {
        throw new PhaseTimeout(
            "timed out after " + timeout.toMinutes() + " min waiting for " + what + lastProgress);
      }
      Thread.sleep(pollMillis);
    }
  }

  private static long lastProgressAt;
  private static String lastProgress = "";

  /** A progress line at most every 15 s; the latest is named when a phase times out. */
  private static void progress(String format, Object... args) {
    lastProgress = " (last seen: " + fmt(format, args) + ")";
    if (System.nanoTime() - lastProgressAt > 15_000_000_000L) {
      lastProgressAt = System.nanoTime();
      log(format, args);
    }
  }

  private static void log(String format, Object... args) {
    System.out.println("[scale] " + fmt(format, args));
    System.out.flush();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String mib(long kb) {
    return (kb / 1024) + " MiB";
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
