package io.traceroll.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The local cluster's audit log (logs/audit.log beside its admin.kubeconfig; up.sh records requests
 * made as a ServiceAccount): the API calls one user made, as RBAC permissions.
 */
final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every authenticated user may review its own access (system:basic-user); not ours to grant. */
  private static final Set<String> SELF_REVIEWS =
      Set.of("selfsubjectreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews");

  /** One request: the resource (with subresource) in RBAC notation, the verb and the answer. */
  record Call(String resource, String verb, int code) {
    /**
     * The permissions the call needed: a server-side apply that creates its object (201) needs
     * create besides patch.
     */
    List<String> permissions() {
      return verb.equals("patch") && code == 201
          ? List.of(resource + ":patch", resource + ":create")
          : List.of(resource + ":" + verb);
    }
  }

  private final Path file;

  private AuditLog(Path file) {
    this.file = file;
  }

  /** The audit log of the cluster KUBECONFIG names, if it is a local cluster of up.sh. */
  static Optional<AuditLog> ofCurrentCluster() {
    String kubeconfig = System.getenv("KUBECONFIG");
    if (kubeconfig == null) {
      return Optional.empty();
    }
    Path log = Path.of(kubeconfig).toAbsolutePath().getParent().resolve("logs/audit.log");
    return Files.isRegularFile(log) ? Optional.of(new AuditLog(log)) : Optional.empty();
  }

  /** The completed requests (and started watches) of the user, API self-reviews left out. */
  List<Call> callsBy(String username) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines
          .map(AuditLog::parse)
          .filter(e -> e.at("/user/username").asText().equals(username))
          .filter(e -> e.has("objectRef"))
          .filter(e -> isFinal(e))
          .map(
              e ->
                  new Call(
                      resource(e.get("objectRef")),
                      e.path("verb").asText(),
                      e.at("/responseStatus/code").asInt()))
          .filter(
              c -> !SELF_REVIEWS.contains(c.resource().substring(c.resource().indexOf('/') + 1)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The permissions the calls needed, as group/resource:verb (core group empty). */
  static Set<String> permissions(List<Call> calls) {
    Set<String> out = new TreeSet<>();
    calls.forEach(c -> out.addAll(c.permissions()));
    return out;
  }

  /** A watch is logged when its response starts; everything else when it completes. */
  private static boolean isFinal(JsonNode event) {
    String stage = event.path("stage").asText();
    return stage.equals("ResponseComplete")
        || (stage.equals("ResponseStarted") && event.path("verb").asText().equals("watch"));
  }

  private static String resource(JsonNode ref) {
    String resource = ref.path("apiGroup").asText("") + "/" + ref.path("resource").asText();
    String sub = ref.path("subresource").asText("");
    return sub.isEmpty() ? resource : resource + "/" + sub;
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
