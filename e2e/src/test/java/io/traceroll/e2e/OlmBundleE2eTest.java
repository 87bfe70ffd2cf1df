package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OLM bundle in bundle/ checked by the real operator-sdk (built from Go modules by build.sh),
 * as OperatorHub's pipeline checks it. It needs no cluster and no network: the operatorframework
 * suite reads only the bundle. (The multiarch validator, not part of that suite, pulls the images
 * and is not run.)
 */
class OlmBundleE2eTest {
  static final Path BUNDLE = Path.of("..", "bundle");
  static final ObjectMapper JSON = new ObjectMapper();

  record Validation(int exitCode, boolean passed, List<String> errors, List<String> warnings) {}

  @Test
  void bundlePassesTheDefaultValidators() throws Exception {
    Validation v = validate(BUNDLE);
    assertThat(v.exitCode()).as("%s", v).isZero();
    assertThat(v.passed()).isTrue();
    assertThat(v.errors()).isEmpty();
    assertThat(v.warnings()).isEmpty();
  }

  @Test
  void bundlePassesTheOperatorFrameworkSuite() throws Exception {
    Validation v = validate(BUNDLE, "--select-optional", "suite=operatorframework");
    assertThat(v.exitCode()).as("%s", v).isZero();
    assertThat(v.passed()).isTrue();
    assertThat(v.errors()).isEmpty();
    assertThat(v.warnings()).isEmpty();
  }

  /** The validator is not a rubber stamp: an example of a kind the bundle does not own fails. */
  @Test
  void validatorRejectsAnExampleOfAnApiTheBundleDoesNotOwn(@TempDir Path tmp) throws Exception {
    Path broken = copyBundle(tmp);
    Path csv = broken.resolve("manifests/traceroll.clusterserviceversion.yaml");
    Files.writeString(
        csv,
        Files.readString(csv)
            .replace("\"kind\": \"TracingPolicy\"", "\"kind\": \"TracingPolicies\""));

    Validation v = validate(broken, "--select-optional", "suite=operatorframework");

    assertThat(v.exitCode()).isNotZero();
    assertThat(v.passed()).isFalse();
    assertThat(v.errors())
        .anyMatch(e -> e.contains("TracingPolicies: example must have a provided API"));
  }

  private static Validation validate(Path bundle, String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                PinnedTool.OPERATOR_SDK.binary().toString(),
                "bundle",
                "validate",
                bundle.toString(),
                "--output",
                "json-alpha1"));
    command.addAll(List.of(extra));
    Path stderr = Files.createTempFile("operator-sdk", ".log");
    Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    String stdout = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("operator-sdk bundle validate hangs");
    }
    JsonNode result = JSON.readTree(stdout);
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (JsonNode output : result.path("outputs")) {
      (output.path("type").asText().equals("error") ? errors : warnings)
          .add(output.path("message").asText());
    }
    System.out.printf(
        "operator-sdk %s%n%s%s%n",
        String.join(" ", command.subList(1, command.size())), stdout, Files.readString(stderr));
    Files.delete(stderr);
    return new Validation(process.exitValue(), result.path("passed").asBoolean(), errors, warnings);
  }

  private static Path copyBundle(Path into) throws Exception {
    try (Stream<Path> files = Files.walk(BUNDLE)) {
      for (Path file : files.toList()) {
        Path target = into.resolve(BUNDLE.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return into;
  }
}
