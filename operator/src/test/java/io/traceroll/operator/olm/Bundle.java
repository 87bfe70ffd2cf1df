package io.traceroll.operator.olm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.openshift.api.model.operatorhub.v1alpha1.ClusterServiceVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The committed OLM bundle (bundle/ at the repository root), read as the tests need it. */
final class Bundle {
  static final Path ROOT = Path.of("..");
  static final Path MANIFESTS = ROOT.resolve("bundle/manifests");
  static final Path CSV = MANIFESTS.resolve("traceroll.clusterserviceversion.yaml");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Bundle() {}

  static ClusterServiceVersion csv() {
    return read(CSV, ClusterServiceVersion.class);
  }

  static <T> T read(Path file, Class<T> type) {
    try {
      return YAML.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode tree(Path file) {
    return read(file, JsonNode.class);
  }

  /**
   * Paths of fields the model does not know (kept in fabric8's additionalProperties): a misspelt or
   * misplaced field that Kubernetes and OLM would silently drop.
   */
  static List<String> unknownFields(Object model) {
    List<String> unknown = new ArrayList<>();
    collectUnknown(model, "", unknown);
    return unknown;
  }

  private static void collectUnknown(Object value, String path, List<String> out) {
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        collectUnknown(item, path + "[" + i++ + "]", out);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknown(v, path + "." + k, out));
      return;
    }
    if (value == null || !value.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object child = invoke(getter, value);
      if (getter.getName().equals("getAdditionalProperties")) {
        ((Map<?, ?>) child).keySet().forEach(k -> out.add(path + "." + k));
      } else {
        String name = getter.getName().substring(3);
        collectUnknown(
            child, path + "." + name.substring(0, 1).toLowerCase() + name.substring(1), out);
      }
    }
  }

  private static Object invoke(Method getter, Object target) {
    try {
      return getter.invoke(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(getter + " on " + target, e);
    }
  }
}
