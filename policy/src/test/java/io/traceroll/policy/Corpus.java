package io.traceroll.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.traceroll.policy.JvmDetection.Evidence;
import io.traceroll.policy.JvmDetection.Verdict;
import io.traceroll.policy.PodView.ContainerView;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The corpus of real workload manifests from public projects (e2e/corpus/PROVENANCE.md), what their
 * sources say each container runs (e2e/corpus/expectations.tsv), the containers the JVM detection
 * cannot judge from their spec, and the corpus table; for the policy module's decision test and the
 * e2e test that applies the same manifests through the API server (published in the test jar).
 *
 * <p>The manifests themselves are fetched third-party files and are not kept in this repository.
 * Each project is a directory of YAML files (in subdirectories too), read from every source there
 * is, in order: a local copy in {@code e2e/corpus/workloads/} (ignored by git), then the cache that
 * {@code e2e/corpus/fetch.sh} fills from the Go module proxy ({@code TRACEROLL_CORPUS_DIR}, else
 * {@code ~/.cache/traceroll/corpus}); {@code -Dtraceroll.corpus=DIR[:DIR...]} replaces both. A
 * project found in several sources is read from the first. Only what the files hold is read: the
 * workload documents, whatever else a file holds.
 */
public final class Corpus {
  /** The committed part: PROVENANCE.md and expectations.tsv (Maven runs in a module directory). */
  public static final Path DIR = Path.of("../e2e/corpus");

  /**
   * Kinds read from the manifests; bare Pods too (the OpenTelemetry operator's tests have some).
   */
  static final List<String> WORKLOAD_KINDS =
      List.of("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod");

  /**
   * JVM application containers whose spec names no command, no variable and no image word that
   * tells (a project's own image started by its entrypoint): the default policy leaves them alone
   * until the image probe has run their image, then instruments them. As "project workload
   * container". The decision test and the e2e test assert this list exactly: a detector change that
   * judges one of them from the spec must change it.
   */
  public static final Set<String> AWAITING_PROBE =
      Set.of(
          // Java, on a JRE base image: microservices-demo/adservice,
          // examples-bookinfo-reviews-v1..3
          "online-boutique Deployment/adservice server",
          "bookinfo Deployment/reviews-v1 reviews",
          "bookinfo Deployment/reviews-v2 reviews",
          "bookinfo Deployment/reviews-v3 reviews",
          // Java and Kotlin: ghcr.io/open-telemetry/demo:<v>-ad, -fraud-detection
          "opentelemetry-demo Deployment/ad ad",
          "opentelemetry-demo Deployment/fraud-detection fraud-detection");

  private static final YAMLMapper YAML = new YAMLMapper();

  private Corpus() {}

  /** A workload of a project's manifests: the object as published. */
  public record Workload(String project, ObjectNode object) {
    public String kind() {
      return object.path("kind").asText();
    }

    public String name() {
      return object.at("/metadata/name").asText();
    }

    /** Kind/name, as in expectations.tsv. */
    public String key() {
      return kind() + "/" + name();
    }

    /**
     * The pod template ({@code metadata} and {@code spec}); a CronJob's is its job's, a bare Pod's
     * is the Pod's own (the same nodes, so a change through it changes the Pod).
     */
    public ObjectNode template() {
      if (kind().equals("Pod")) {
        ObjectNode pod = object.objectNode();
        pod.set("metadata", object.path("metadata"));
        pod.set("spec", object.path("spec"));
        return pod;
      }
      JsonNode spec = object.path("spec");
      if (kind().equals("CronJob")) {
        spec = spec.path("jobTemplate").path("spec");
      }
      return (ObjectNode) spec.path("template");
    }

    public PodTemplateSpec podTemplate() {
      try {
        return TestPolicies.JSON.treeToValue(template(), PodTemplateSpec.class);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(key(), e);
      }
    }

    /** Replicas a Deployment or StatefulSet asks for (1 when not given); 1 for other kinds. */
    public int replicas() {
      return object.at("/spec/replicas").asInt(1);
    }

    /**
     * Whether the rollout restarts it (Jobs' and CronJobs' pods get the agent at their next pod, a
     * bare Pod only if it is created again).
     */
    public boolean restartable() {
      return List.of("Deployment", "StatefulSet", "DaemonSet").contains(kind());
    }
  }

  /** A row of expectations.tsv: a container and whether its project's sources say it runs a JVM. */
  public record Expectation(
      String project,
      String workload,
      String container,
      boolean init,
      boolean jvm,
      String evidence) {
    public String key() {
      return project + " " + workload + " " + container;
    }
  }

  /** The directories projects are read from, in order (see the class comment). */
  public static List<Path> sources() {
    String property = System.getProperty("traceroll.corpus");
    if (property != null && !property.isBlank()) {
      return Stream.of(property.split(File.pathSeparator))
          .filter(p -> !p.isBlank())
          .map(Path::of)
          .toList();
    }
    String cache = System.getenv("TRACEROLL_CORPUS_DIR");
    return List.of(
        DIR.resolve("workloads"),
        cache == null || cache.isBlank()
            ? Path.of(System.getProperty("user.home"), ".cache", "traceroll", "corpus")
            : Path.of(cache));
  }

  /**
   * The projects present, by name: each one's directory in the first source that has it with a YAML
   * file in it (fetch.sh's unfinished {@code <project>.tmp} directories left out).
   */
  public static Map<String, Path> projects() {
    Map<String, Path> out = new TreeMap<>();
    for (Path source : sources()) {
      if (!Files.isDirectory(source)) {
        continue;
      }
      try (Stream<Path> dirs = Files.list(source)) {
        for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
          String name = dir.getFileName().toString();
          if (!name.endsWith(".tmp") && !yamlFiles(dir).isEmpty()) {
            out.putIfAbsent(name, dir);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Why a test that needs the manifests is skipped. */
  public static final String MISSING =
      "no corpus project is here: run `bash e2e/corpus/fetch.sh` (the projects published as Go"
          + " modules, into $TRACEROLL_CORPUS_DIR or ~/.cache/traceroll/corpus), put fetched"
          + " projects in e2e/corpus/workloads/, or give -Dtraceroll.corpus=DIR (see"
          + " e2e/corpus/PROVENANCE.md)";

  /** The projects and where each was read from, for the tests' output. */
  public static String describe(Map<String, Path> projects) {
    StringBuilder out = new StringBuilder();
    projects.forEach((name, dir) -> out.append(String.format("  %-20s %s%n", name, dir)));
    return out.toString();
  }

  /** Every workload of the projects, projects by name, files by path, documents in order. */
  public static List<Workload> workloads(Map<String, Path> projects) {
    List<Workload> out = new ArrayList<>();
    projects.forEach(
        (project, dir) -> {
          for (Path file : yamlFiles(dir)) {
            try (MappingIterator<JsonNode> docs =
                YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
              while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc instanceof ObjectNode o
                    && WORKLOAD_KINDS.contains(o.path("kind").asText())) {
                  out.add(new Workload(project, o));
                }
              }
            } catch (IOException e) {
              throw new UncheckedIOException(file.toString(), e);
            }
          }
        });
    return out;
  }

  /** A project's YAML files, in and below its directory, by path. */
  private static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The rows of expectations.tsv for the projects present, by container key; the other projects'
   * rows are left out.
   */
  public static Map<String, Expectation> expected(Set<String> projects) {
    Map<String, Expectation> out = new LinkedHashMap<>();
    for (Expectation e : expectations()) {
      if (projects.contains(e.project()) && out.put(e.key(), e) != null) {
        throw new IllegalStateException("expectations.tsv: a second row for " + e.key());
      }
    }
    return out;
  }

  /** The rows of expectations.tsv. */
  static List<Expectation> expectations() {
    try {
      return Files.readAllLines(DIR.resolve("expectations.tsv")).stream()
          .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("project\t"))
          .map(
              l -> {
                String[] f = l.split("\t", -1);
                if (f.length != 6) {
                  throw new IllegalStateException("expectations.tsv: not six columns: " + l);
                }
                return new Expectation(
                    f[0], f[1], f[2], f[3].equals("init"), Boolean.parseBoolean(f[4]), f[5]);
              })
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JVM containers that wait for the image probe, among those expected. */
  public static Set<String> awaitingProbe(Map<String, Expectation> expected) {
    return AWAITING_PROBE.stream().filter(expected::containsKey).collect(Collectors.toSet());
  }

  /**
   * Every application container expectations.tsv says runs a JVM is among those injected, but for
   * {@code awaiting} (those the image probe has not judged yet); no init container is (the default
   * policy chooses init containers only by name, so a JVM in one, like the OpenTelemetry operator's
   * java-init, goes without), and no non-JVM container is.
   */
  public static void assertInjected(
      Map<String, Expectation> expected, Set<String> injected, Set<String> awaiting) {
    assertThat(
            expected.values().stream()
                .filter(e -> e.jvm() && !e.init())
                .map(Expectation::key)
                .filter(key -> !injected.contains(key))
                .sorted()
                .toList())
        .as("JVM application containers not injected: exactly those awaiting the image probe")
        .containsExactlyInAnyOrderElementsOf(awaiting);
    assertThat(injected.stream().filter(key -> expected.get(key).init()).toList())
        .as("init containers injected")
        .isEmpty();
    assertThat(injected.stream().filter(key -> !expected.get(key).jvm()).sorted().toList())
        .as("non-JVM containers injected")
        .isEmpty();
  }

  /** The containers of a workload's template as "project workload container", init ones first. */
  public static List<String> containerKeys(Workload w) {
    PodView pod = PodView.of(w.template());
    return Stream.concat(pod.initContainers().stream(), pod.containers().stream())
        .map(c -> w.project() + " " + w.key() + " " + c.name())
        .toList();
  }

  /**
   * Which source decided a container: a known sidecar (never instrumented), or the first detection
   * source that knew (command, JVM variable, image, other runtime's variable, the image probe), or
   * none (unknown).
   */
  public static String source(ContainerView c, ImageVerdicts images) {
    if (Sidecars.isSidecar(c)) {
      return "sidecar";
    }
    Evidence e = JvmDetection.of(c, images);
    String s = e.source();
    if (s.startsWith("command")) {
      return "command";
    }
    if (s.startsWith("env")) {
      return e.jvm() ? "jvm-env" : "other-env";
    }
    if (s.startsWith("image probe")) {
      return "probe";
    }
    if (s.startsWith("image")) {
      return "image";
    }
    return "unknown";
  }

  /**
   * What the image probe would learn of the images the spec says nothing of, as the projects'
   * sources say (the real-node tier proves the probe tells a JVM from other programs on real
   * images), recorded under each image's previous release (the last digit of its tag changed), so
   * every lookup goes through the family rule of {@link ImageVerdicts}: a verdict reaches the next
   * release of its image and no other image of its repository.
   */
  public static ImageVerdicts probedPreviousReleases(
      List<Workload> workloads, Map<String, Expectation> expected) {
    Map<String, String> data = new TreeMap<>();
    for (Workload w : workloads) {
      for (ContainerView c : PodView.of(w.template()).containers()) {
        Expectation e = expected.get(w.project() + " " + w.key() + " " + c.name());
        if (e != null && JvmDetection.needsProbe(c, ImageVerdicts.NONE)) {
          String image = previousRelease(c.image());
          data.put(
              ImageVerdicts.key(image),
              ImageVerdicts.value(
                  new ImageVerdicts.Entry(
                      image,
                      e.jvm() ? Verdict.JVM : Verdict.NOT_JVM,
                      e.evidence(),
                      null,
                      "2026-12-07T00:00:00Z")));
        }
      }
    }
    return ImageVerdicts.of(data);
  }

  /** The image with the last digit of its tag changed; itself if the tag has none. */
  static String previousRelease(String image) {
    int colon = image.lastIndexOf(':');
    if (colon <= image.lastIndexOf('/') || image.contains("@")) {
      return image;
    }
    char[] chars = image.toCharArray();
    for (int i = chars.length - 1; i > colon; i--) {
      if (Character.isDigit(chars[i])) {
        chars[i] = chars[i] == '0' ? '9' : (char) (chars[i] - 1);
        return new String(chars);
      }
    }
    return image;
  }

  static final List<String> SOURCES =
      List.of("command", "jvm-env", "image", "other-env", "probe", "sidecar", "unknown");

  /**
   * The corpus table: per project its workloads and pods, its JVM and non-JVM application
   * containers, its init containers and the JVM ones among them, the application containers
   * injected, the non-JVM ones among them, the workloads restarted, and how many application
   * containers each detection source decided.
   */
  public static final class Table {
    private final Map<String, int[]> rows = new TreeMap<>();
    private final Map<String, Map<String, Integer>> sources = new TreeMap<>();

    private int[] row(String project) {
      sources.computeIfAbsent(project, p -> new TreeMap<>());
      return rows.computeIfAbsent(project, p -> new int[9]);
    }

    public void workload(String project, int pods, boolean restarted) {
      int[] r = row(project);
      r[0]++;
      r[1] += pods;
      r[7] += restarted ? 1 : 0;
    }

    public void container(Expectation e, boolean injected, String source) {
      int[] r = row(e.project());
      if (e.init()) {
        r[4]++;
        r[8] += e.jvm() ? 1 : 0;
        return;
      }
      r[e.jvm() ? 2 : 3]++;
      r[5] += injected ? 1 : 0;
      r[6] += injected && !e.jvm() ? 1 : 0;
      sources.get(e.project()).merge(source, 1, Integer::sum);
    }

    public String render(String restartedTitle) {
      String format = "%-20s %9s %5s %4s %7s %4s %8s %8s %11s %9s | %s%n";
      StringBuilder out = new StringBuilder();
      out.append(
          String.format(
              format,
              "project",
              "workloads",
              "pods",
              "jvm",
              "non-jvm",
              "init",
              "jvm-init",
              "injected",
              "non-jvm-inj",
              restartedTitle,
              String.join(" ", SOURCES)));
      int[] total = new int[9];
      Map<String, Integer> totalSources = new TreeMap<>();
      rows.forEach(
          (project, r) -> {
            out.append(line(format, project, r, sources.get(project)));
            for (int i = 0; i < r.length; i++) {
              total[i] += r[i];
            }
            sources.get(project).forEach((s, n) -> totalSources.merge(s, n, Integer::sum));
          });
      out.append(line(format, "total", total, totalSources));
      return out.toString();
    }

    private static String line(String format, String name, int[] r, Map<String, Integer> src) {
      List<String> counts = SOURCES.stream().map(s -> s + "=" + src.getOrDefault(s, 0)).toList();
      return String.format(
          format,
          name,
          r[0],
          r[1],
          r[2],
          r[3],
          r[4],
          r[8],
          r[5],
          r[6],
          r[7],
          String.join(" ", counts));
    }
  }
}
