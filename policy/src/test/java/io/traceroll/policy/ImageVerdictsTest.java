package io.traceroll.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceroll.policy.ImageVerdicts.Entry;
import io.traceroll.policy.JvmDetection.Verdict;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageVerdictsTest {
  static Entry entry(String image, Verdict verdict, String at) {
    return new Entry(image, verdict, "seen", "sha256:abc", at);
  }

  static ImageVerdicts of(Entry... entries) {
    Map<String, String> data = new HashMap<>();
    for (Entry e : entries) {
      data.put(ImageVerdicts.key(e.image()), ImageVerdicts.value(e));
    }
    return ImageVerdicts.of(data);
  }

  @Test
  void anEntryReadsBackAsWritten() {
    Entry e = entry("ghcr.io/acme/shop@sha256:0123", Verdict.NOT_JVM, "2026-12-07T10:00:00Z");

    assertThat(of(e).lookup("ghcr.io/acme/shop@sha256:0123")).contains(e);
    assertThat(ImageVerdicts.key(e.image())).matches("image-[0-9a-f]{20}");
  }

  @Test
  void aNewReleaseOfAKnownImageIsKnownButNotAnotherServiceOfOneRepository() {
    ImageVerdicts images =
        of(
            entry("registry.example/shop:1.4.2", Verdict.JVM, "1"),
            entry("registry.example/web:v2-alpine", Verdict.NOT_JVM, "1"),
            entry("ghcr.io/open-telemetry/demo:2.0.2-ad", Verdict.JVM, "1"));

    assertThat(images.lookup("registry.example/shop:1.5.0").map(Entry::verdict))
        .contains(Verdict.JVM);
    assertThat(images.lookup("registry.example/web:v3-alpine").map(Entry::verdict))
        .contains(Verdict.NOT_JVM);
    assertThat(images.known("ghcr.io/open-telemetry/demo:2.0.2-currency")).isFalse();
    assertThat(images.known("ghcr.io/open-telemetry/demo:2.1.0-ad")).isTrue();
    assertThat(images.known("registry.example/shop:latest")).isFalse();
    assertThat(images.known("registry.example/other:1.4.2")).isFalse();
  }

  @Test
  void aFamilyWhoseTagsDisagreeOrAreInconclusiveSaysNothingForANewTag() {
    ImageVerdicts images =
        of(
            entry("acme/tool:1", Verdict.JVM, "1"),
            entry("acme/tool:2", Verdict.NOT_JVM, "2"),
            entry("acme/batch:1", Verdict.UNKNOWN, "1"));

    assertThat(images.known("acme/tool:3")).isFalse();
    assertThat(images.lookup("acme/tool:2").map(Entry::verdict)).contains(Verdict.NOT_JVM);
    assertThat(images.known("acme/batch:1")).isTrue();
    assertThat(images.known("acme/batch:2")).isFalse();
  }

  @Test
  void entriesThatDoNotParseAreLeftOut() {
    ImageVerdicts images =
        ImageVerdicts.of(
            Map.of(
                "a", "not json",
                "b", "{\"image\":\"x:1\",\"verdict\":\"maybe\"}",
                "c", "{\"verdict\":\"jvm\"}",
                "d", "{\"image\":\"y:1\",\"verdict\":\"jvm\",\"evidence\":\"e\"}"));

    assertThat(images.size()).isEqualTo(1);
    assertThat(images.known("y:1")).isTrue();
    assertThat(ImageVerdicts.of(null)).isSameAs(ImageVerdicts.NONE);
  }
}
