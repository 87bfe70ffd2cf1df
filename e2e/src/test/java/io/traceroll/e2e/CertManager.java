package io.traceroll.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real cert-manager for the test cluster: its CRDs from the pinned module (deploy/crds, copied
 * beside the binaries by build.sh) and its controller and CA injector, built from Go modules by
 * build.sh, as processes on this host with the test's KUBECONFIG. Nothing listens on a port (no
 * metrics, healthz, leader election or webhook: the CRDs have no conversion webhook, and cert-
 * manager's own admission webhook only validates and defaults).
 */
final class CertManager implements AutoCloseable {
  static final String GROUP_VERSION = "cert-manager.io/v1";

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final List<String> crds = new ArrayList<>();

  private CertManager() {}

  /** Installs the CRDs, then starts the controller and the CA injector. */
  static CertManager start(TestCluster cluster) throws Exception {
    CertManager certManager = new CertManager();
    try {
      Path crdDir = PinnedTool.CERT_MANAGER_CONTROLLER.directory("cert-manager-crds");
      List<Path> files;
      try (Stream<Path> listing = Files.list(crdDir)) {
        files = listing.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
      }
      if (files.size() != 6) {
        throw new IllegalStateException("expected 6 cert-manager CRDs in " + crdDir + ": " + files);
      }
      for (Path file : files) {
        cluster.installCrd(file);
        certManager.crds.add(crdName(file));
      }
      String kubeconfig = kubeconfig();
      certManager.run(
          PinnedTool.CERT_MANAGER_CONTROLLER,
          "--kubeconfig=" + kubeconfig,
          "--cluster-resource-namespace=kube-system");
      certManager.run(PinnedTool.CERT_MANAGER_CAINJECTOR, "--kubeconfig=" + kubeconfig);
      Thread.sleep(500);
      certManager.assertAlive();
      return certManager;
    } catch (Exception | AssertionError e) {
      certManager.close();
      throw e;
    }
  }

  /**
   * Deletes the CRDs (and so every cert-manager object) and waits until they are gone, so a next
   * run does not apply them to CRDs still being deleted.
   */
  void deleteCrds(TestCluster cluster) {
    var definitions = cluster.client.apiextensions().v1().customResourceDefinitions();
    crds.forEach(crd -> definitions.withName(crd).delete());
    crds.forEach(
        crd -> definitions.withName(crd).waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS));
  }

  void assertAlive() {
    for (int i = 0; i < processes.size(); i++) {
      if (!processes.get(i).isAlive()) {
        throw new IllegalStateException(
            logs.get(i).getFileName() + " exited " + processes.get(i).exitValue() + ":\n" + logs());
      }
    }
  }

  /** The tail of each process's log. */
  String logs() {
    StringBuilder out = new StringBuilder();
    for (Path log : logs) {
      out.append("----- ").append(log.getFileName()).append(" -----\n");
      try {
        out.append(FailureDiagnostics.tail(Files.readString(log))).append('\n');
      } catch (IOException e) {
        out.append("(unreadable: ").append(e.getMessage()).append(")\n");
      }
    }
    return out.toString();
  }

  /** Stops the processes with SIGTERM (forcibly after 10 s); the logs stay in target/. */
  @Override
  public void close() throws InterruptedException {
    for (Process process : processes) {
      process.destroy();
    }
    for (Process process : processes) {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  private void run(PinnedTool tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(tool.binary().toString()));
    command.addAll(List.of(args));
    Path log = Path.of("target", tool.name() + "-" + System.currentTimeMillis() + ".log");
    Files.createDirectories(log.getParent());
    processes.add(
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    logs.add(log);
  }

  /** The kubeconfig the test's client uses: KUBECONFIG, else ~/.kube/config. */
  private static String kubeconfig() {
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      return env.split(java.io.File.pathSeparator)[0];
    }
    return Path.of(System.getProperty("user.home"), ".kube", "config").toString();
  }

  private static String crdName(Path file) throws IOException {
    return Serialization.unmarshal(Files.readString(file), GenericKubernetesResource.class)
        .getMetadata()
        .getName();
  }
}
