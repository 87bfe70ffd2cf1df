package io.traceroll.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.policy.JvmDetection.Evidence;
import io.traceroll.policy.JvmDetection.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the image probe learned of images: whether starting one runs a JVM. The operator's leader
 * probes an image off the admission path (a short, locked-down pod on a node that already holds it)
 * and records the verdict in one ConfigMap of its namespace, a key per image; every replica's
 * webhook and the rollout read it from a cache. A verdict is looked up by the image reference as
 * pods write it, else by its family: the same repository and the same words in the tag besides
 * version numbers ({@code shop:1.4.2} and {@code shop:1.5.0}, {@code app:2-alpine} and {@code
 * app:3-alpine}, but not {@code demo:2.0-ad} and {@code demo:2.0-currency}, one repository for a
 * project's services), where all its tags probed agree. So a new release of an application is not
 * probed, and its pods not restarted, again.
 */
public final class ImageVerdicts {
  /** The ConfigMap, in the operator's namespace. */
  public static final String CONFIG_MAP = "traceroll-image-verdicts";

  /** No image probed. */
  public static final ImageVerdicts NONE = new ImageVerdicts(Map.of());

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A probe's result: the image as pods name it, the verdict (UNKNOWN: the probe ran but could not
   * tell), what was seen, the image's digest where the node reported it, when, and the tracing
   * agent the image's own JAVA_TOOL_OPTIONS loads (null: none).
   */
  public record Entry(
      String image,
      Verdict verdict,
      String evidence,
      String imageId,
      String probedAt,
      String agent) {
    public Entry(String image, Verdict verdict, String evidence, String imageId, String probedAt) {
      this(image, verdict, evidence, imageId, probedAt, null);
    }

    /** As {@link JvmDetection} reports a source. */
    Evidence asEvidence(String requested) {
      String of = image.equals(requested) ? "" : " of " + image;
      return new Evidence(verdict, "image probe" + of + ": " + evidence);
    }
  }

  private final Map<String, Entry> byImage;
  private final Map<String, Entry> byFamily;

  private ImageVerdicts(Map<String, Entry> byImage) {
    this.byImage = Map.copyOf(byImage);
    Map<String, Entry> families = new HashMap<>();
    Set<String> disagreeing = new HashSet<>();
    for (Entry e : byImage.values()) {
      if (e.verdict() != Verdict.UNKNOWN) {
        String family = family(e.image());
        Entry other = families.putIfAbsent(family, e);
        if (other != null && other.verdict() != e.verdict()) {
          disagreeing.add(family);
        }
      }
    }
    families.keySet().removeAll(disagreeing);
    this.byFamily = Map.copyOf(families);
  }

  /** From the ConfigMap's data; entries that do not parse are left out. */
  public static ImageVerdicts of(Map<String, String> data) {
    if (data == null || data.isEmpty()) {
      return NONE;
    }
    Map<String, Entry> entries = new HashMap<>();
    data.values().forEach(v -> parse(v).ifPresent(e -> entries.put(e.image(), e)));
    return new ImageVerdicts(entries);
  }

  /** The verdict probed for this image, else for another tag of its family. */
  public Optional<Entry> lookup(String image) {
    if (image == null || image.isBlank()) {
      return Optional.empty();
    }
    Entry exact = byImage.get(image);
    return exact != null ? Optional.of(exact) : Optional.ofNullable(byFamily.get(family(image)));
  }

  /** Whether the probe has judged this image, or a tag of its family: no need to probe it. */
  public boolean known(String image) {
    return lookup(image).isPresent();
  }

  public int size() {
    return byImage.size();
  }

  /** The ConfigMap key of an image's entry (keys cannot hold '/', ':' or '@'). */
  public static String key(String image) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(image.getBytes(StandardCharsets.UTF_8));
      return "image-" + HexFormat.of().formatHex(digest, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An entry as the ConfigMap holds it: one JSON object. */
  public static String value(Entry e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("image", e.image());
    o.put("verdict", name(e.verdict()));
    o.put("evidence", e.evidence());
    if (e.imageId() != null) {
      o.put("imageID", e.imageId());
    }
    o.put("probedAt", e.probedAt());
    if (e.agent() != null) {
      o.put("agent", e.agent());
    }
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private static Optional<Entry> parse(String value) {
    try {
      JsonNode o = JSON.readTree(value);
      Verdict verdict =
          switch (o.path("verdict").asText()) {
            case "jvm" -> Verdict.JVM;
            case "not-jvm" -> Verdict.NOT_JVM;
            case "inconclusive" -> Verdict.UNKNOWN;
            default -> null;
          };
      String image = o.path("image").asText("");
      if (verdict == null || image.isBlank()) {
        return Optional.empty();
      }
      return Optional.of(
          new Entry(
              image,
              verdict,
              o.path("evidence").asText(""),
              o.hasNonNull("imageID") ? o.get("imageID").asText() : null,
              o.path("probedAt").asText(""),
              o.hasNonNull("agent") ? o.get("agent").asText() : null));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String name(Verdict v) {
    return switch (v) {
      case JVM -> "jvm";
      case NOT_JVM -> "not-jvm";
      case UNKNOWN -> "inconclusive";
    };
  }

  /**
   * The image's family: its repository (lower case, no digest) and the words of its tag that hold
   * no digit ({@code 2.0.2-currency}: currency; {@code v1.4.2}: none).
   */
  static String family(String image) {
    String s = image.toLowerCase(Locale.ROOT);
    int at = s.indexOf('@');
    if (at >= 0) {
      s = s.substring(0, at);
    }
    int colon = s.lastIndexOf(':');
    if (colon <= s.lastIndexOf('/')) {
      return s + ":";
    }
    StringBuilder words = new StringBuilder();
    for (String w : s.substring(colon + 1).split("[-_.+]")) {
      if (!w.isEmpty() && w.chars().noneMatch(Character::isDigit)) {
        words.append(words.isEmpty() ? "" : "-").append(w);
      }
    }
    return s.substring(0, colon) + ":" + words;
  }
}
