package io.traceroll.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.traceroll.e2e.traces.JaegerTrace;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The local cluster's real node (e2e/local-cluster/node.sh): where pods really run, the images
 * built for it (images.sh), and how a test reaches a Service's pods from this machine (kube-proxy
 * routes ClusterIPs on the host too).
 */
final class RealNode {
  static final String NAME = "traceroll-node";
  static final String TAINT = "traceroll.io/real-node";
  static final Map<String, String> SELECTOR = Map.of("type", "real");
  static final Path LOCAL_CLUSTER = Path.of("local-cluster");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Map<String, String> images;

  private RealNode() {}

  /**
   * Fails unless the cluster has the real node Ready. Only an explicit TRACEROLL_REAL_NODE=0 (a
   * cluster started without one) skips the real-node tier instead: never a silent fallback.
   */
  static void require(KubernetesClient client) {
    Assumptions.assumeFalse(
        "0".equals(System.getenv("TRACEROLL_REAL_NODE")),
        "TRACEROLL_REAL_NODE=0: the cluster has no real node");
    Node node = client.nodes().withName(NAME).get();
    if (node == null
        || node.getStatus().getConditions().stream()
            .noneMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
      throw new AssertionError(
          "the cluster has no Ready node "
              + NAME
              + " (up.sh starts one; TRACEROLL_REAL_NODE=0 skips this tier)");
    }
  }

  /** The reference images.sh gives an image, e.g. image("SHOP") for SHOP_IMAGE. */
  static synchronized String image(String key) throws IOException {
    if (images == null) {
      Map<String, String> read = new HashMap<>();
      Matcher m =
          Pattern.compile("(?m)^([A-Z_]+)_IMAGE=(\\S+)$")
              .matcher(Files.readString(LOCAL_CLUSTER.resolve("images/images.env")));
      while (m.find()) {
        read.put(m.group(1), m.group(2));
      }
      images = read;
    }
    String ref = images.get(key);
    if (ref == null) {
      throw new IllegalArgumentException("no " + key + "_IMAGE in images/images.env");
    }
    return ref;
  }

  /** Builds the images (cached by content) and imports them into the node's containerd. */
  static void importImages(String... names) throws IOException, InterruptedException {
    String state =
        System.getenv()
            .getOrDefault(
                "TRACEROLL_CLUSTER_DIR",
                Path.of(System.getenv("KUBECONFIG")).getParent().toString());
    List<String> command = new ArrayList<>(List.of("bash", "images.sh", "import"));
    command.add(Path.of(state, "node/containerd/containerd.sock").toString());
    command.addAll(List.of(names));
    Process p =
        new ProcessBuilder(command)
            .directory(LOCAL_CLUSTER.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new AssertionError("images.sh import " + String.join(" ", names) + " failed:\n" + out);
    }
  }

  /** Puts the pod spec on the real node: its label, a toleration of its taint. */
  static PodSpec place(PodSpec spec) {
    Map<String, String> selector = new HashMap<>(SELECTOR);
    if (spec.getNodeSelector() != null) {
      selector.putAll(spec.getNodeSelector());
    }
    spec.setNodeSelector(selector);
    List<Toleration> tolerations = new ArrayList<>();
    if (spec.getTolerations() != null) {
      tolerations.addAll(spec.getTolerations());
    }
    tolerations.add(new Toleration("NoSchedule", TAINT, "Exists", null, null));
    spec.setTolerations(tolerations);
    return spec;
  }

  /**
   * A Deployment of the demo-shop image on the real node: {@code service} is "frontend" or
   * "backend" (SHOP_SERVICE), the pods are labelled {@code app: name} and
   * app.kubernetes.io/name=name (the service name the webhook gives the agent), ready when /healthz
   * answers. Extra environment variables come as name, value pairs.
   */
  static Deployment shop(String ns, String name, String service, String... env) throws IOException {
    List<EnvVar> vars = new ArrayList<>(List.of(new EnvVar("SHOP_SERVICE", service, null)));
    for (int i = 0; i < env.length; i += 2) {
      vars.add(new EnvVar(env[i], env[i + 1], null));
    }
    String image = image("SHOP");
    Deployment d =
        Workloads.deployment(
            ns,
            name,
            1,
            "app",
            Map.of("app.kubernetes.io/name", name),
            c -> shopContainer(c, image, vars));
    place(d.getSpec().getTemplate().getSpec());
    return d;
  }

  private static void shopContainer(ContainerBuilder c, String image, List<EnvVar> env) {
    c.withImage(image)
        .withImagePullPolicy("Never")
        .withEnv(env)
        .addNewPort()
        .withName("http")
        .withContainerPort(8080)
        .endPort()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/healthz")
        .withPort(new IntOrString("http"))
        .endHttpGet()
        .withPeriodSeconds(1)
        .endReadinessProbe()
        .withNewResources()
        .addToRequests("cpu", new Quantity("20m"))
        .addToRequests("memory", new Quantity("96Mi"))
        .addToLimits("memory", new Quantity("384Mi"))
        .endResources();
  }

  /** A pod of the Deployment's template with no owner, as `kubectl run` makes one. */
  static Pod bare(Deployment d) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(d.getMetadata().getName())
        .withNamespace(d.getMetadata().getNamespace())
        .withLabels(d.getSpec().getTemplate().getMetadata().getLabels())
        .endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec())
        .build();
  }

  /** A Job on the real node running the shop image with this command, once. */
  static Job job(String ns, String name, String... command) throws IOException {
    Deployment template = shop(ns, name, "backend");
    var spec = template.getSpec().getTemplate().getSpec();
    spec.setRestartPolicy("Never");
    spec.getContainers().get(0).setCommand(List.of(command));
    spec.getContainers().get(0).setReadinessProbe(null);
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(template.getSpec().getTemplate().getMetadata().getLabels())
        .endMetadata()
        .withSpec(spec)
        .endTemplate()
        .endSpec()
        .build();
  }

  /** A ClusterIP Service on port 8080 for the pods labelled {@code app: name}. */
  static Service service(String ns, String name) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .addToSelector("app", name)
        .addNewPort()
        .withName("http")
        .withPort(8080)
        .withTargetPort(new IntOrString("http"))
        .endPort()
        .endSpec()
        .build();
  }

  /** A Jaeger v2 (all-in-one, in memory) Deployment and Service named jaeger in the namespace. */
  static void startJaeger(KubernetesClient client, String ns) throws IOException {
    String image = image("JAEGER");
    Deployment jaeger =
        Workloads.deployment(
            ns,
            "jaeger",
            1,
            "app",
            Map.of(),
            c ->
                c.withImage(image)
                    .withImagePullPolicy("Never")
                    .withNewReadinessProbe()
                    .withNewHttpGet()
                    .withPath("/")
                    .withPort(new IntOrString(16686))
                    .endHttpGet()
                    .withPeriodSeconds(1)
                    .endReadinessProbe());
    place(jaeger.getSpec().getTemplate().getSpec());
    client.resource(jaeger).create();
    Service service = service(ns, "jaeger");
    service.getSpec().getPorts().clear();
    for (int port : new int[] {4317, 4318, 16686}) {
      service
          .getSpec()
          .getPorts()
          .add(new ServicePortBuilder().withName("p" + port).withPort(port).build());
    }
    client.resource(service).create();
    awaitAvailable(client, ns, "jaeger");
  }

  /** Waits until every replica of the Deployment is ready and updated. */
  static void awaitAvailable(KubernetesClient client, String ns, String name) {
    await()
        .atMost(TestCluster.timeout())
        .pollInterval(Duration.ofMillis(250))
        .until(() -> available(client, ns, name));
  }

  static boolean available(KubernetesClient client, String ns, String name) {
    Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
    if (d == null || d.getStatus() == null) {
      return false;
    }
    int want = d.getSpec().getReplicas();
    var s = d.getStatus();
    return d.getMetadata().getGeneration().equals(s.getObservedGeneration())
        && Integer.valueOf(want).equals(s.getReadyReplicas())
        && Integer.valueOf(want).equals(s.getUpdatedReplicas())
        && (s.getReplicas() == null || s.getReplicas() == want);
  }

  /** The live pods (not being deleted) labelled {@code app: name}. */
  static List<Pod> pods(KubernetesClient client, String ns, String name) {
    return client.pods().inNamespace(ns).withLabel("app", name).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /**
   * Waits until a GET of the path on the Service's ClusterIP answers 200. A Deployment is Available
   * as soon as its pods are ready, but kube-proxy programs the Service's endpoints a little later
   * (refused connections until then), most visibly on a busy two-core machine.
   */
  static String awaitServing(
      KubernetesClient client, String ns, String service, int port, String path) {
    return await()
        .atMost(TestCluster.timeout())
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(() -> get(client, ns, service, port, path), body -> body != null);
  }

  /** GET of a path on a Service's ClusterIP, from this machine: the body, or an exception. */
  static String get(KubernetesClient client, String ns, String service, int port, String path)
      throws IOException, InterruptedException {
    String ip = client.services().inNamespace(ns).withName(service).get().getSpec().getClusterIP();
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + response.statusCode());
    }
    return response.body();
  }

  /**
   * The traces with a span of the service's operation (e.g. "GET /checkout") that Jaeger (Service
   * jaeger in ns) holds; readiness probes make traces of their own, which this leaves out.
   */
  static List<JaegerTrace> traces(
      KubernetesClient client, String ns, String service, String operation)
      throws IOException, InterruptedException {
    JsonNode data =
        JSON.readTree(
                get(
                    client,
                    ns,
                    "jaeger",
                    16686,
                    "/api/traces?lookback=1h&limit=1000&service="
                        + URLEncoder.encode(service, StandardCharsets.UTF_8)
                        + "&operation="
                        + URLEncoder.encode(operation, StandardCharsets.UTF_8)))
            .path("data");
    List<JaegerTrace> traces = new ArrayList<>();
    data.forEach(t -> traces.add(JaegerTrace.fromJson(t)));
    return traces;
  }
}
