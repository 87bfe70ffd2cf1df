package io.traceroll.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceroll.policy.JvmDetection.Verdict;
import io.traceroll.policy.PodView.ContainerView;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the spec and image name say of a container: the command first, then JVM variables, then the
 * image's name (its namespaces, then its tag, when the name says nothing), then other runtimes'
 * variables. Images are those of public projects' manifests (microservice demos, Helm charts,
 * vendor images; see also {@link CorpusDecisionTest}).
 */
class JvmDetectionTest {
  record Row(ContainerView container, Verdict verdict, String source) {
    @Override
    public String toString() {
      return container.image() + " " + container.command() + " " + container.env().keySet();
    }
  }

  static Row image(String image, Verdict verdict, String source) {
    return new Row(new ContainerView("c", image), verdict, source);
  }

  /** The OpenTelemetry operator's e2e test app image for a language, named by it. */
  static Row testApp(String language, Verdict verdict) {
    String name = "e2e-test-app-" + language;
    return image(
        "ghcr.io/open-telemetry/opentelemetry-operator/" + name + ":main",
        verdict,
        "image " + name + " (" + language + ")");
  }

  static Row command(List<String> command, Verdict verdict, String source) {
    return new Row(
        new ContainerView("c", "registry.example/app:1", command, Map.of()), verdict, source);
  }

  static Row env(String name, Verdict verdict) {
    return new Row(
        new ContainerView("c", "registry.example/app:1", List.of(), Map.of(name, "x")),
        verdict,
        "env " + name);
  }

  static Stream<Row> rows() {
    return Stream.of(
        // JDK and JRE images and images built on them
        image("eclipse-temurin:21-jre-alpine", Verdict.JVM, "image eclipse-temurin (temurin)"),
        image("amazoncorretto:17", Verdict.JVM, "image amazoncorretto (amazoncorretto)"),
        image(
            "gcr.io/distroless/java17-debian12:nonroot",
            Verdict.JVM,
            "image java17-debian12 (java)"),
        image("bitnami/kafka:3.7", Verdict.JVM, "image kafka (kafka)"),
        image("quay.io/keycloak/keycloak:26.0", Verdict.JVM, "image keycloak (keycloak)"),
        image(
            "docker.elastic.co/elasticsearch/elasticsearch:8.15.0",
            Verdict.JVM,
            "image elasticsearch (elasticsearch)"),
        image("bitnami/jmx-exporter:1.0", Verdict.JVM, "image jmx-exporter (jmx-exporter)"),
        // other runtimes, servers and agents
        image("postgres:16-alpine", Verdict.NOT_JVM, "image postgres (postgres)"),
        image("redis:7.4@sha256:abc", Verdict.NOT_JVM, "image redis (redis)"),
        image(
            "danielqsj/kafka-exporter:latest", Verdict.NOT_JVM, "image kafka-exporter (exporter)"),
        image("nginx:1.27", Verdict.NOT_JVM, "image nginx (nginx)"),
        image("envoyproxy/envoy:v1.31", Verdict.NOT_JVM, "image envoy (envoy)"),
        image("node:22-slim", Verdict.NOT_JVM, "image node (node)"),
        image("python:3.12", Verdict.NOT_JVM, "image python (python)"),
        image("mcr.microsoft.com/dotnet/aspnet:8.0", Verdict.NOT_JVM, "image aspnet (aspnet)"),
        image("rabbitmq:3-management", Verdict.NOT_JVM, "image rabbitmq (rabbitmq)"),
        image("busybox:1.36", Verdict.NOT_JVM, "image busybox (busybox)"),
        image("bitnami/postgresql:16", Verdict.NOT_JVM, "image postgresql (postgresql)"),
        image("quay.io/kiali/kiali:v2.27", Verdict.NOT_JVM, "image kiali (kiali)"),
        // a language's name in a project's image name (the OpenTelemetry operator's test apps)
        testApp("java", Verdict.JVM),
        testApp("python", Verdict.NOT_JVM),
        testApp("nodejs", Verdict.NOT_JVM),
        testApp("dotnet", Verdict.NOT_JVM),
        testApp("golang", Verdict.NOT_JVM),
        image("docker.io/mccutchen/go-httpbin:v2.15.0", Verdict.NOT_JVM, "image go-httpbin (go)"),
        // words that merely start with one say nothing
        image("gocd/gocd-server:v24.1.0", Verdict.UNKNOWN, "nothing in the spec or image name"),
        // a database word may end in db
        image(
            "registry.istio.io/release/examples-bookinfo-mysqldb:1.20.3",
            Verdict.NOT_JVM,
            "image examples-bookinfo-mysqldb (mysql)"),
        image(
            "registry.istio.io/release/examples-bookinfo-mongodb:1.20.3",
            Verdict.NOT_JVM,
            "image examples-bookinfo-mongodb (mongodb)"),
        // a database's name ends in -db; a JVM word in it still wins
        image("weaveworksdemos/catalogue-db:0.3.0", Verdict.NOT_JVM, "image catalogue-db (db)"),
        image(
            "us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos/ledger-db:v0.6.10",
            Verdict.NOT_JVM,
            "image ledger-db (db)"),
        image("example/cassandra-db:1", Verdict.JVM, "image cassandra-db (cassandra)"),
        // a name that says nothing: the repository's namespaces, then the tag
        image(
            "jaegertracing/all-in-one:1.53.0",
            Verdict.NOT_JVM,
            "image jaegertracing/all-in-one (jaegertracing)"),
        image(
            "mcr.microsoft.com/dotnet/runtime-deps:10.0",
            Verdict.NOT_JVM,
            "image dotnet/runtime-deps (dotnet)"),
        image(
            "ghcr.io/open-telemetry/demo:2.1.3-postgresql",
            Verdict.NOT_JVM,
            "image demo:2.1.3-postgresql (postgresql)"),
        image(
            "ghcr.io/open-telemetry/demo:2.1.3-kafka",
            Verdict.JVM,
            "image demo:2.1.3-kafka (kafka)"),
        // a base image's word in a tag says nothing (a JVM app on Alpine)
        image(
            "registry.example/shop/checkout:1.4-alpine",
            Verdict.UNKNOWN,
            "nothing in the spec or image name"),
        // names that say nothing
        image(
            "ghcr.io/open-telemetry/demo:2.0.2-ad",
            Verdict.UNKNOWN,
            "nothing in the spec or image name"),
        image(
            "registry.example/checkout:1.4.2",
            Verdict.UNKNOWN,
            "nothing in the spec or image name"),
        // the command decides before the image
        command(List.of("java", "-jar", "/app.jar"), Verdict.JVM, "command: java"),
        command(List.of("/opt/java/openjdk/bin/java", "-cp", "app"), Verdict.JVM, "command: java"),
        command(
            List.of("sh", "-c", "exec java $JAVA_OPTS -jar app.jar"), Verdict.JVM, "command: java"),
        command(
            List.of("/usr/local/tomcat/bin/catalina.sh", "run"),
            Verdict.JVM,
            "command: catalina.sh"),
        command(List.of("node", "server.js"), Verdict.NOT_JVM, "command: node"),
        command(List.of("gunicorn", "app:app"), Verdict.NOT_JVM, "command: gunicorn"),
        command(
            List.of("/opt/kiali/kiali", "-config", "/c.yaml"), Verdict.NOT_JVM, "command: kiali"),
        // a JVM started by an init container's script
        command(
            List.of("/bin/bash", "-c", "echo starting\njava -jar /app-0.0.1-SNAPSHOT.jar &"),
            Verdict.JVM,
            "command: java"),
        new Row(
            new ContainerView("c", "eclipse-temurin:21", List.of("python3", "tool.py"), Map.of()),
            Verdict.NOT_JVM,
            "command: python3"),
        // then the environment
        env("JAVA_OPTS", Verdict.JVM),
        env("_JAVA_OPTIONS", Verdict.JVM),
        env("SPRING_PROFILES_ACTIVE", Verdict.JVM),
        env("OTEL_JAVAAGENT_EXTENSIONS", Verdict.JVM),
        env("NODE_ENV", Verdict.NOT_JVM),
        env("ASPNETCORE_URLS", Verdict.NOT_JVM),
        // other languages' OpenTelemetry SDK and agent settings, Python and Elixir frameworks
        env("OTEL_DOTNET_AUTO_TRACES_ENTITYFRAMEWORKCORE_INSTRUMENTATION_ENABLED", Verdict.NOT_JVM),
        env("OTEL_PYTHON_LOG_CORRELATION", Verdict.NOT_JVM),
        env("OTEL_PHP_AUTOLOAD_ENABLED", Verdict.NOT_JVM),
        env("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", Verdict.NOT_JVM),
        env("PHX_HOST", Verdict.NOT_JVM));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void detects(Row row) {
    JvmDetection.Evidence evidence = JvmDetection.of(row.container());
    assertThat(evidence.verdict()).isEqualTo(row.verdict());
    assertThat(evidence.source()).isEqualTo(row.source());
  }
}
