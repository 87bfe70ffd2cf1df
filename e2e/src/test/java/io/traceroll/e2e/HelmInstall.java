package io.traceroll.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart installed by the real helm as one release into a fresh namespace, with the values the
 * test sets. The chart's names are canonical (the ClusterRole is traceroll-operator, whatever the
 * release), so one release at a time: a leftover of an aborted run is uninstalled first.
 */
class HelmInstall extends InstallPath {
  static final String RELEASE = "traceroll";
  static final String CHART = "../helm/traceroll";

  private final String namespacePrefix;
  private final Map<String, String> namespaceLabels;
  private final List<String> values;

  /** The objects of the release, as helm get manifest tells them. */
  Manifests installed;

  /**
   * @param values chart values as helm's {@code --set} takes them, e.g.
   *     webhook.certMode=cert-manager
   */
  HelmInstall(String namespacePrefix, Map<String, String> namespaceLabels, String... values) {
    this.namespacePrefix = namespacePrefix;
    this.namespaceLabels = namespaceLabels;
    this.values = List.of(values);
  }

  @Override
  void setUp() throws Exception {
    removeLeftovers();
    namespace = installNamespace(namespacePrefix, namespaceLabels);
    List<String> install = new ArrayList<>(List.of("install", RELEASE, CHART, "-n", namespace));
    values.forEach(v -> install.addAll(List.of("--set", v)));
    install.addAll(List.of("--wait", "--timeout", "120s"));
    PinnedTool.HELM.succeed(install.toArray(String[]::new));
    installed =
        Manifests.parse(
            PinnedTool.HELM.succeed("get", "manifest", RELEASE, "-n", namespace).stdout());
  }

  /** helm uninstall, failing unless it succeeds. */
  void uninstall() throws Exception {
    PinnedTool.HELM.succeed("uninstall", RELEASE, "-n", namespace, "--wait", "--timeout", "120s");
  }

  /** Whether helm still knows the release. */
  boolean releaseExists() throws Exception {
    return PinnedTool.HELM.run("status", RELEASE, "-n", namespace).exitCode() == 0;
  }

  @Override
  void tearDown() throws Exception {
    if (namespace != null) {
      PinnedTool.HELM.run("uninstall", RELEASE, "-n", namespace, "--wait");
    }
  }
}
