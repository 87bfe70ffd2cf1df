package io.traceroll.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command-line tool the local cluster's build.sh makes from Go modules at the version pinned in
 * versions.env (helm, kubectl, Jaeger, operator-sdk, cert-manager's controller and CA injector,
 * OLM, opm), built when missing, and run as a one-shot process (or, through {@link ToolProcess} or
 * by the test that needs it, as a long-running one).
 */
public record PinnedTool(String name, String versionKey, String buildTarget) {
  static final Path LOCAL_CLUSTER = Path.of("local-cluster");
  static final PinnedTool HELM = new PinnedTool("helm", "HELM_VERSION", "helm");
  static final PinnedTool KUBECTL = new PinnedTool("kubectl", "K8S_VERSION", "kubernetes");
  public static final PinnedTool JAEGER = new PinnedTool("jaeger", "JAEGER_VERSION", "jaeger");
  static final PinnedTool OPERATOR_SDK =
      new PinnedTool("operator-sdk", "OPERATOR_SDK_VERSION", "operator-sdk");
  static final PinnedTool CERT_MANAGER_CONTROLLER =
      new PinnedTool("cert-manager-controller", "CERT_MANAGER_VERSION", "cert-manager");
  static final PinnedTool CERT_MANAGER_CAINJECTOR =
      new PinnedTool("cert-manager-cainjector", "CERT_MANAGER_VERSION", "cert-manager");

  /** OLM's olm operator: installs ClusterServiceVersions. */
  static final PinnedTool OLM = new PinnedTool("olm", "OLM_VERSION", "olm");

  /** OLM's catalog operator: resolves Subscriptions and runs InstallPlans. */
  static final PinnedTool OLM_CATALOG = new PinnedTool("olm-catalog", "OLM_VERSION", "olm");

  /** operator-registry's opm: renders a bundle into a catalog and serves it. */
  static final PinnedTool OPM = new PinnedTool("opm", "OPM_VERSION", "opm");

  /** What a run printed (stdout and stderr apart: renders are parsed from stdout). */
  record Result(int exitCode, String stdout, String stderr) {
    Result assertSucceeded(List<String> command) {
      if (exitCode != 0) {
        throw new AssertionError(
            String.join(" ", command) + " exited " + exitCode + ":\n" + stderr + "\n" + stdout);
      }
      return this;
    }
  }

  /** The version versions.env pins for this tool, e.g. v3.22.0. */
  String version() throws IOException {
    return pinned(versionKey);
  }

  static String pinned(String key) throws IOException {
    Matcher m =
        Pattern.compile("(?m)^" + key + "=(\\S+)$")
            .matcher(Files.readString(LOCAL_CLUSTER.resolve("versions.env")));
    if (!m.find()) {
      throw new IllegalStateException("no " + key + " in versions.env");
    }
    return m.group(1);
  }

  /** The cached binary, built (once, for minutes) when missing. */
  public synchronized Path binary() throws IOException, InterruptedException {
    return built(name + "-" + version(), Files::isExecutable, "bin");
  }

  /**
   * A directory the same build target fills in the cache, e.g. cert-manager's CRDs in
   * cert-manager-crds-&lt;version&gt; or OLM's in olm-crds-&lt;version&gt;; built when missing.
   */
  synchronized Path directory(String prefix) throws IOException, InterruptedException {
    return built(prefix + "-" + version(), Files::isDirectory);
  }

  private Path built(String fileName, Predicate<Path> present, String... under)
      throws IOException, InterruptedException {
    String cache = System.getenv("TRACEROLL_CACHE");
    Path root =
        cache == null
            ? Path.of(System.getProperty("user.home"), ".cache", "traceroll")
            : Path.of(cache);
    Path path = root.resolve(Path.of("", under)).resolve(fileName);
    if (!present.test(path)) {
      Path buildLog = Path.of("target", buildTarget + "-build.log");
      Files.createDirectories(buildLog.getParent());
      Process build =
          new ProcessBuilder("bash", LOCAL_CLUSTER.resolve("build.sh").toString(), buildTarget)
              .redirectErrorStream(true)
              .redirectOutput(buildLog.toFile())
              .start();
      if (!build.waitFor(40, TimeUnit.MINUTES) || build.exitValue() != 0 || !present.test(path)) {
        build.destroyForcibly();
        throw new IllegalStateException(
            "could not build " + path + ":\n" + Files.readString(buildLog));
      }
    }
    return path;
  }

  /** Runs the tool with the test's environment (KUBECONFIG included) from the e2e directory. */
  Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary().toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(name, ".out");
    Path err = Files.createTempFile(name, ".err");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!process.waitFor(3, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " hangs");
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Runs the tool and fails with its output unless it exits 0. */
  Result succeed(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(name));
    command.addAll(List.of(args));
    return run(args).assertSucceeded(command);
  }
}
