package io.traceroll.operator.images;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.traceroll.api.Traceroll;
import io.traceroll.operator.admission.InstallOwnership;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.operator.rollout.Workload;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.JvmDetection.Verdict;
import io.traceroll.policy.LabelSelectors;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns whether an image runs a JVM when its spec does not say, off the admission path: the
 * leader's rollout asks for the images of workloads it cannot decide, and the prober runs each once
 * as a short, locked-down pod in the operator's namespace, on a node where a pod of the workload
 * already runs it (so the image is there: it is never pulled, and no pull secret is needed), then
 * records the verdict in the ConfigMap every replica's webhook reads ({@link ImageVerdicts}).
 *
 * <p>The probe pod runs the workload container's own command, arguments, working directory and
 * literal variables, with an option no JVM accepts in the variables JVMs read first (see {@link
 * ProbeVerdict}); it gets no Secret, volume, service-account token, Service variables or DNS, a
 * read-only root file system, no capabilities, a non-root user, and 20 seconds. A probe that cannot
 * run (the image is gone from the node, the pod is refused) is tried again after five minutes.
 */
public final class ImageProber implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImageProber.class);

  /** The probe pod's activeDeadlineSeconds: a JVM refuses the option at once. */
  static final long DEADLINE_SECONDS = 20;

  /** A probe pod that has not ended by then (a node that runs nothing, say) is given up. */
  static final Duration GIVE_UP = Duration.ofSeconds(DEADLINE_SECONDS + 40);

  /** How long an image whose probe failed waits before it is probed again. */
  static final Duration RETRY = Duration.ofMinutes(5);

  /** Probe pods at once. */
  static final int MAX_IN_FLIGHT = 4;

  /** The user the probe runs as unless the workload's pod names its own. */
  static final long NOBODY = 65534;

  static final String COMPONENT = "image-probe";
  static final String IMAGE_ANNOTATION = Traceroll.GROUP + "/probed-image";
  static final String FOR_ANNOTATION = Traceroll.GROUP + "/probed-for";

  private final KubernetesClient client;
  private final ClusterView view;
  private final Clock clock;
  private final Map<String, Wanted> wanted = new LinkedHashMap<>();

  /** Images this prober recorded a verdict for, known before the cache sees the ConfigMap. */
  private final Set<String> recorded = new HashSet<>();

  private final Map<String, Probe> inFlight = new LinkedHashMap<>();
  private final Map<String, Instant> retryAt = new HashMap<>();
  private final Map<String, Counter> results = new HashMap<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "image-probe");
            t.setDaemon(true);
            return t;
          });

  /** A probe pod running: its name, when it was created, the image's digest on the node. */
  private record Probe(String pod, Instant created, String imageId) {}

  public ImageProber(
      KubernetesClient client, ClusterView view, MeterRegistry registry, Clock clock) {
    this.client = client;
    this.view = view;
    this.clock = clock;
    for (String result : List.of("jvm", "not_jvm", "failed")) {
      results.put(
          result,
          Counter.builder("traceroll_image_probes")
              .description("Image probes finished, by result")
              .tag("result", result)
              .register(registry));
    }
  }

  /** Removes probe pods a previous leader left, then checks running probes every second. */
  public void start() {
    scheduler.execute(
        () -> {
          try {
            client
                .pods()
                .inNamespace(view.namespace())
                .withLabel(Traceroll.COMPONENT_LABEL, COMPONENT)
                .list()
                .getItems()
                .forEach(p -> delete(p.getMetadata().getName()));
          } catch (KubernetesClientException e) {
            LOG.warn("could not delete leftover image probe pods: {}", e.getMessage());
          }
        });
    scheduler.scheduleWithFixedDelay(this::checkSafely, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Probes these images of the workload unless known, already being probed or waiting to be
   * retried; an image no pod of the workload runs yet is probed as soon as one does (checked every
   * second for {@link #WANTED_FOR}; the rollout asks again at its next step).
   */
  public synchronized void request(Workload workload, List<String> images) {
    for (String image : images) {
      wanted.put(image, new Wanted(workload, clock.instant()));
    }
    startProbes();
  }

  /** How long a request waits for a pod that runs the image. */
  static final Duration WANTED_FOR = Duration.ofMinutes(10);

  private record Wanted(Workload workload, Instant since) {}

  private void startProbes() {
    ImageVerdicts known = view.imageVerdicts();
    Instant now = clock.instant();
    for (var it = wanted.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      String image = entry.getKey();
      Workload workload = entry.getValue().workload();
      if (known.known(image)
          || recorded.contains(image)
          || inFlight.containsKey(image)
          || entry.getValue().since().plus(WANTED_FOR).isBefore(now)) {
        it.remove();
        continue;
      }
      if (inFlight.size() >= MAX_IN_FLIGHT
          || retryAt.getOrDefault(image, Instant.MIN).isAfter(now)) {
        continue;
      }
      Optional<Running> running = runningContainer(workload, image);
      if (running.isEmpty()) {
        continue;
      }
      it.remove();
      Pod probe = probePod(image, workload, running.get().pod(), running.get().container());
      try {
        Pod created = client.pods().inNamespace(view.namespace()).resource(probe).create();
        inFlight.put(
            image, new Probe(created.getMetadata().getName(), now, running.get().imageId()));
        LOG.info(
            "probing image {} (of {}) on node {}",
            image,
            workload.key(),
            running.get().pod().getSpec().getNodeName());
      } catch (KubernetesClientException e) {
        fail(image, "the probe pod was refused: " + e.getMessage());
      }
    }
  }

  /** A running pod of the workload, its container running the image, and the image's digest. */
  private record Running(Pod pod, Container container, String imageId) {}

  private Optional<Running> runningContainer(Workload workload, String image) {
    if (workload.selector() == null) {
      return Optional.empty();
    }
    for (Pod pod : view.pods(workload.namespace())) {
      if (pod.getSpec() == null
          || pod.getSpec().getNodeName() == null
          || pod.getStatus() == null
          || !"Running".equals(pod.getStatus().getPhase())
          || !LabelSelectors.matches(workload.selector(), pod.getMetadata().getLabels())) {
        continue;
      }
      for (Container c : pod.getSpec().getContainers()) {
        if (!image.equals(c.getImage())) {
          continue;
        }
        Optional<ContainerStatus> status =
            pod.getStatus().getContainerStatuses().stream()
                .filter(s -> s.getName().equals(c.getName()))
                .filter(s -> s.getState() != null && s.getState().getRunning() != null)
                .findFirst();
        if (status.isPresent()) {
          return Optional.of(new Running(pod, c, status.get().getImageID()));
        }
      }
    }
    return Optional.empty();
  }

  /** The locked-down pod that runs the container's program once (see the class comment). */
  Pod probePod(String image, Workload workload, Pod running, Container c) {
    List<EnvVar> env = new ArrayList<>();
    for (EnvVar e : c.getEnv()) {
      if (e.getValueFrom() == null && !ProbeVerdict.OPTION_VARIABLES.contains(e.getName())) {
        env.add(new EnvVar(e.getName(), e.getValue(), null));
      }
    }
    for (String variable : ProbeVerdict.OPTION_VARIABLES) {
      env.add(new EnvVar(variable, ProbeVerdict.OPTION, null));
    }
    var podSecurity = running.getSpec().getSecurityContext();
    Long user =
        c.getSecurityContext() != null && c.getSecurityContext().getRunAsUser() != null
            ? c.getSecurityContext().getRunAsUser()
            : podSecurity != null && podSecurity.getRunAsUser() != null
                ? podSecurity.getRunAsUser()
                : null;
    Container probe =
        new ContainerBuilder()
            .withName(ProbeVerdict.CONTAINER)
            .withImage(image)
            .withImagePullPolicy("Never")
            .withCommand(c.getCommand())
            .withArgs(c.getArgs())
            .withWorkingDir(c.getWorkingDir())
            .withEnv(env)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withNewResources()
            .addToRequests("cpu", new Quantity("10m"))
            .addToRequests("memory", new Quantity("32Mi"))
            .addToLimits("cpu", new Quantity("500m"))
            .addToLimits("memory", new Quantity("256Mi"))
            .endResources()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities()
            .addToDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .build();
    return new PodBuilder()
        .withNewMetadata()
        .withGenerateName("traceroll-image-probe-")
        .withNamespace(view.namespace())
        .addToLabels(Traceroll.MANAGED_BY_LABEL, Traceroll.MANAGED_BY)
        .addToLabels(Traceroll.COMPONENT_LABEL, COMPONENT)
        .addToLabels(Traceroll.INJECT_LABEL, "false")
        .addToAnnotations(IMAGE_ANNOTATION, image)
        .addToAnnotations(FOR_ANNOTATION, workload.key())
        .addToAnnotations("sidecar.istio.io/inject", "false")
        .endMetadata()
        .withNewSpec()
        .withNodeName(running.getSpec().getNodeName())
        .withTolerations(new Toleration(null, null, "Exists", null, null))
        .withRestartPolicy("Never")
        .withActiveDeadlineSeconds(DEADLINE_SECONDS)
        .withTerminationGracePeriodSeconds(1L)
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withDnsPolicy("None")
        .withNewDnsConfig()
        .withNameservers("127.0.0.1")
        .endDnsConfig()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(user == null || user == 0 ? NOBODY : user)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withContainers(probe)
        .endSpec()
        .build();
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      LOG.warn("image probe check failed: {}", e.toString());
    }
  }

  /**
   * Reads each running probe's pod (from the cache) and records what ended, then starts the probes
   * wanted whose images now run.
   */
  synchronized void check() {
    checkRunning();
    startProbes();
  }

  private void checkRunning() {
    for (var it = new ArrayList<>(inFlight.entrySet()).iterator(); it.hasNext(); ) {
      var entry = it.next();
      String image = entry.getKey();
      Probe probe = entry.getValue();
      Pod pod =
          view.pods(view.namespace()).stream()
              .filter(p -> probe.pod().equals(p.getMetadata().getName()))
              .findFirst()
              .orElse(null);
      ProbeVerdict verdict = pod == null ? ProbeVerdict.running() : ProbeVerdict.of(pod);
      if (verdict.outcome() == ProbeVerdict.Outcome.RUNNING) {
        if (clock.instant().isAfter(probe.created().plus(GIVE_UP))) {
          verdict =
              ProbeVerdict.failed("the probe pod did not end within " + GIVE_UP.toSeconds() + " s");
        } else {
          continue;
        }
      }
      inFlight.remove(image);
      delete(probe.pod());
      if (verdict.outcome() == ProbeVerdict.Outcome.FAILED) {
        fail(image, verdict.evidence());
        continue;
      }
      record(
          new ImageVerdicts.Entry(
              image,
              verdict.verdict(),
              verdict.evidence(),
              probe.imageId(),
              clock.instant().truncatedTo(ChronoUnit.SECONDS).toString(),
              verdict.agent()));
    }
  }

  private void fail(String image, String why) {
    retryAt.put(image, clock.instant().plus(RETRY));
    results.get("failed").increment();
    LOG.warn("image probe of {} failed, trying again in {} min: {}", image, RETRY.toMinutes(), why);
  }

  private void delete(String pod) {
    try {
      client.pods().inNamespace(view.namespace()).withName(pod).delete();
    } catch (KubernetesClientException e) {
      LOG.warn("could not delete image probe pod {}: {}", pod, e.getMessage());
    }
  }

  /** Adds the entry to the ConfigMap (created at the first verdict); a conflict reads it again. */
  void record(ImageVerdicts.Entry entry) {
    var resource =
        client.configMaps().inNamespace(view.namespace()).withName(ImageVerdicts.CONFIG_MAP);
    for (int attempt = 1; ; attempt++) {
      try {
        ConfigMap map = resource.get();
        if (map == null) {
          client
              .configMaps()
              .inNamespace(view.namespace())
              .resource(
                  new ConfigMapBuilder()
                      .withNewMetadata()
                      .withName(ImageVerdicts.CONFIG_MAP)
                      .withNamespace(view.namespace())
                      .addToLabels(Traceroll.MANAGED_BY_LABEL, Traceroll.MANAGED_BY)
                      .addToLabels(Traceroll.COMPONENT_LABEL, "image-verdicts")
                      .withOwnerReferences(InstallOwnership.ownerReferences(client))
                      .endMetadata()
                      .addToData(ImageVerdicts.key(entry.image()), ImageVerdicts.value(entry))
                      .build())
              .create();
        } else {
          Map<String, String> data =
              new HashMap<>(Objects.requireNonNullElse(map.getData(), Map.of()));
          data.put(ImageVerdicts.key(entry.image()), ImageVerdicts.value(entry));
          map.setData(data);
          client.configMaps().inNamespace(view.namespace()).resource(map).update();
        }
        results.get(entry.verdict() == Verdict.JVM ? "jvm" : "not_jvm").increment();
        LOG.info("image {} probed: {} ({})", entry.image(), entry.verdict(), entry.evidence());
        return;
      } catch (KubernetesClientException e) {
        if ((e.getCode() != 409 && e.getCode() != 404) || attempt >= 5) {
          fail(entry.image(), "could not record the verdict: " + e.getMessage());
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
