package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile is checked without building it against what it packages and what runs it: the
 * build's jar and lib/ with every class-path entry, the canonical pod's user and ports, a build
 * context that holds exactly the copied files, and the base and instructions that
 * e2e/local-cluster/images.sh (the only builder here, for the real node) can follow.
 */
class OperatorDockerfileTest {
  static final Path ROOT = Path.of("..");
  static final Path DOCKERFILE = ROOT.resolve("operator/Dockerfile");

  @Test
  void copiesTheBuiltJarAndEveryJarOnItsClassPath() throws IOException {
    List<String> sources = new ArrayList<>();
    Matcher copy = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$").matcher(dockerfile());
    while (copy.find()) {
      sources.add(copy.group(1));
      assertThat(ROOT.resolve(copy.group(1))).as("COPY source (run make build)").exists();
    }
    assertThat(sources)
        .containsExactly("operator/target/lib/", "operator/target/traceroll-operator.jar");
    try (JarFile jar = new JarFile(ROOT.resolve(sources.get(1)).toFile())) {
      String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
      for (String entry : classPath.trim().split("\\s+")) {
        assertThat(ROOT.resolve("operator/target").resolve(entry)).exists();
      }
    }
    assertThat(dockerfile())
        .contains(
            "ENTRYPOINT [\"java\", \"-Djava.io.tmpdir=/tmp\", \"-jar\", \"/app/traceroll-operator.jar\"]");
  }

  @Test
  void runsAsTheCanonicalPodsUserAndExposesItsPorts() throws IOException {
    JsonNode pod =
        Manifests.fixture("canonical.yaml")
            .get("Deployment", "traceroll-operator")
            .at("/spec/template/spec");
    int user = pod.at("/securityContext/runAsUser").asInt();
    int group = pod.at("/securityContext/runAsGroup").asInt();
    assertThat(dockerfile()).containsPattern("(?m)^USER " + user + ":" + group + "$");
    List<String> ports = new ArrayList<>();
    pod.at("/containers/0/ports")
        .forEach(p -> ports.add(String.valueOf(p.path("containerPort").asInt())));
    assertThat(dockerfile()).containsPattern("(?m)^EXPOSE " + String.join(" ", ports) + "$");
  }

  @Test
  void buildContextHoldsOnlyTheCopiedFiles() throws IOException {
    assertThat(Files.readAllLines(ROOT.resolve(".dockerignore")))
        .filteredOn(line -> !line.isBlank() && !line.startsWith("#"))
        .containsExactly("*", "!operator/target/traceroll-operator.jar", "!operator/target/lib/");
  }

  @Test
  void buildsOnDistrolessUnlessTheLocalClusterPassesItsOwnBase() throws IOException {
    assertThat(dockerfile())
        .containsPattern("(?m)^ARG BASE_IMAGE=gcr.io/distroless/java17-debian12:nonroot$")
        .containsPattern("(?m)^FROM \\$\\{BASE_IMAGE\\}$");
    List<String> instructions = new ArrayList<>();
    for (String line : dockerfile().replace("\\\n", " ").split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        instructions.add(line.split("\\s+")[0]);
      }
    }
    // images.sh fails on any other instruction rather than build a different image.
    assertThat(instructions)
        .isSubsetOf(
            "ARG", "FROM", "LABEL", "ENV", "WORKDIR", "COPY", "USER", "EXPOSE", "ENTRYPOINT");
  }

  private static String dockerfile() throws IOException {
    return Files.readString(DOCKERFILE);
  }
}
