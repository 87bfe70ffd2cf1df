package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.OtlpEndpointBackend;
import io.traceroll.api.v1alpha1.S3Storage;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.gateway.GatewayHeadersSecretDependent;
import io.traceroll.operator.sampling.SamplingStore;
import io.traceroll.operator.telemetry.InMemoryTracing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TracingPolicyReconcilerTest {
  static final String NS = "observability";

  MockCluster cluster;
  InMemoryTracing traces;

  @BeforeEach
  void start() {
    traces = new InMemoryTracing();
    cluster = new MockCluster(traces.tracing);
  }

  @AfterEach
  void stop() {
    cluster.close();
    traces.close();
  }

  @Test
  void createsEveryTempoChildWithOwnerReferenceAndBecomesReady() throws IOException {
    TracingPolicy policy = create(sample("tracingpolicy-tempo.yaml"));

    ConfigMap config = await().until(() -> configMap("default-tempo-config"), o -> o != null);
    StatefulSet tempo = await().until(() -> statefulSet("default-tempo"), o -> o != null);
    Service service = await().until(() -> service("default-tempo"), o -> o != null);
    ConfigMap sampling = await().until(() -> configMap("default-sampling"), o -> o != null);
    for (HasMetadata child : new HasMetadata[] {config, tempo, service, sampling}) {
      OwnerReference owner = child.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getKind()).isEqualTo("TracingPolicy");
      assertThat(owner.getName()).isEqualTo("default");
      assertThat(owner.getUid()).isEqualTo(policy.getMetadata().getUid());
    }
    assertThat(config.getData().get("tempo.yaml")).contains("block_retention: 168h");
    assertThat(
            tempo.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests())
        .containsEntry("storage", new io.fabric8.kubernetes.api.model.Quantity("10Gi"));
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getPort)
        .containsExactly(3200, 4317, 4318, 14268, 14250, 9411);
    assertThat(sampling.getData().get("strategies.json")).contains("\"checkout\"");
    assertThat(sampling.getData())
        .containsEntry("OTEL_TRACES_SAMPLER", "parentbased_jaeger_remote")
        .containsEntry(
            "OTEL_TRACES_SAMPLER_ARG",
            "endpoint=http://default-sampling.observability.svc:14250,pollingIntervalMs=30000,"
                + "initialSamplingRate=0.1");

    // Tempo has no ready pod yet: not Ready, and the reason says why.
    awaitReady("default", "False", "TempoStarting");
    assertThat(get("default").getStatus().getBackend().getEndpoint())
        .isEqualTo("http://default-tempo.observability.svc:4317");

    markStatefulSetReady("default-tempo");
    awaitReady("default", "True", "Reconciled");
    TracingPolicy ready = get("default");
    assertThat(ready.getStatus().getObservedGeneration())
        .isEqualTo(ready.getMetadata().getGeneration());
    assertThat(condition(ready, "BackendReady").map(Condition::getStatus)).contains("True");
  }

  @Test
  void agentsReachTheSamplingServerThroughThePolicysServiceAndSeeChangesAfterOneReconcile()
      throws IOException {
    SamplingStore served = new SamplingStore(MockCluster.SAMPLING_HOST);
    served.watch(cluster.client, java.util.Set.of());
    try {
      TracingPolicy policy = create(sample("tracingpolicy-tempo.yaml"));

      Service route = await().until(() -> service("default-sampling"), o -> o != null);
      assertThat(route.getSpec().getType()).isEqualTo("ExternalName");
      assertThat(route.getSpec().getExternalName()).isEqualTo(MockCluster.SAMPLING_HOST);
      assertThat(route.getSpec().getPorts())
          .extracting(ServicePort::getPort)
          .containsExactly(14250, 5778);
      assertThat(route.getMetadata().getOwnerReferences().get(0).getUid())
          .isEqualTo(policy.getMetadata().getUid());
      String host = "default-sampling.observability.svc:14250";
      await()
          .until(
              () -> served.answer(host, "checkout"), a -> a.isPresent() && a.get().ratio() == 1.0);

      edit("default", p -> p.getSpec().getSampling().getServices().get(0).setRatio(0.25));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> served.answer(host, "checkout"), a -> a.isPresent() && a.get().ratio() == 0.25);
      assertThat(served.answer(host, "checkout").orElseThrow().operations())
          .containsEntry("GET /healthz", 0.0);
      assertThat(served.answer(host, "search").orElseThrow().maxTracesPerSecond()).isEqualTo(5);
    } finally {
      served.close();
    }
  }

  @Test
  void specChangeUpdatesChildrenAndRollsTempo() throws IOException {
    create(sample("tracingpolicy-tempo.yaml"));
    StatefulSet before = await().until(() -> statefulSet("default-tempo"), o -> o != null);
    String hashBefore = configHash(before);

    edit(
        "default",
        policy -> {
          policy.getSpec().getBackend().getTempo().setRetention("24h");
          policy.getSpec().getSampling().getDefaultSampling().setRatio(0.5);
        });

    await()
        .until(
            () -> configMap("default-tempo-config").getData().get("tempo.yaml"),
            yaml -> yaml.contains("block_retention: 24h"));
    await()
        .until(
            () -> configMap("default-sampling").getData().get("OTEL_TRACES_SAMPLER_ARG"),
            arg -> arg.endsWith("initialSamplingRate=0.5"));
    await().until(() -> configHash(statefulSet("default-tempo")), h -> !h.equals(hashBefore));
  }

  @Test
  void childDeletedOrEditedByHandIsRestored() throws IOException {
    create(sample("tracingpolicy-tempo.yaml"));
    await().until(() -> service("default-tempo"), o -> o != null);
    ConfigMap sampling = await().until(() -> configMap("default-sampling"), o -> o != null);

    cluster.client.resource(service("default-tempo")).delete();
    await().until(() -> service("default-tempo"), o -> o != null);

    sampling.getData().put("strategies.json", "{}");
    cluster.client.resource(sampling).update();
    await()
        .until(
            () -> configMap("default-sampling").getData().get("strategies.json"),
            json -> json.contains("default_strategy"));
  }

  @Test
  void switchingStorageReplacesStatefulSetWithDeployment() throws IOException {
    create(sample("tracingpolicy-tempo.yaml"));
    await().until(() -> statefulSet("default-tempo"), o -> o != null);

    edit(
        "default",
        policy -> {
          policy.getSpec().getBackend().getTempo().getStorage().setType(StorageType.MEMORY);
          policy.getSpec().getBackend().getTempo().getStorage().setSize(null);
        });

    await().until(() -> deployment("default-tempo"), o -> o != null);
    await().until(() -> statefulSet("default-tempo") == null);
  }

  @Test
  void otlpEndpointCreatesNoTempoAndPublishesTheEndpoint() throws IOException {
    create(sample("tracingpolicy-otlp.yaml"));

    awaitReady("to-collector", "True", "Reconciled");
    TracingPolicy policy = get("to-collector");
    assertThat(policy.getStatus().getBackend().getType()).isEqualTo("otlpEndpoint");
    assertThat(policy.getStatus().getBackend().getEndpoint())
        .isEqualTo("http://otel-collector.observability.svc:4317");
    assertThat(configMap("to-collector-sampling")).isNotNull();
    assertThat(configMap("to-collector-tempo-config")).isNull();
    assertThat(statefulSet("to-collector-tempo")).isNull();
    assertThat(deployment("to-collector-tempo")).isNull();
    assertThat(service("to-collector-tempo")).isNull();
  }

  @Test
  void switchingToOtlpEndpointRemovesTempo() throws IOException {
    create(sample("tracingpolicy-tempo.yaml"));
    await().until(() -> statefulSet("default-tempo"), o -> o != null);

    edit(
        "default",
        policy -> {
          OtlpEndpointBackend otlp = new OtlpEndpointBackend();
          otlp.setEndpoint("http://collector:4317");
          policy.getSpec().getBackend().setTempo(null);
          policy.getSpec().getBackend().setOtlpEndpoint(otlp);
        });

    await().until(() -> statefulSet("default-tempo") == null);
    await().until(() -> service("default-tempo") == null);
    await().until(() -> configMap("default-tempo-config") == null);
    awaitReady("default", "True", "Reconciled");
  }

  @Test
  void missingCredentialsSecretGivesReadyFalseAndAnEventThenRecovers() throws IOException {
    TracingPolicy policy = sample("tracingpolicy-tempo.yaml");
    S3Storage s3 = new S3Storage();
    s3.setBucket("traces");
    SecretKeys keys = new SecretKeys();
    keys.setName("tempo-s3");
    s3.setCredentialsSecret(keys);
    policy.getSpec().getBackend().getTempo().getStorage().setType(StorageType.S3);
    policy.getSpec().getBackend().getTempo().getStorage().setSize(null);
    policy.getSpec().getBackend().getTempo().getStorage().setS3(s3);
    create(policy);

    Condition ready = awaitReady("default", "False", "CredentialsSecretNotFound");
    assertThat(ready.getMessage()).contains("observability/tempo-s3");
    await()
        .until(
            () ->
                cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "CredentialsSecretNotFound".equals(e.getReason())
                                && "Warning".equals(e.getType())));
    // Nothing is deployed while the reference is broken, and the operator keeps running.
    assertThat(deployment("default-tempo")).isNull();

    cluster
        .client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tempo-s3")
                .withNamespace(NS)
                .endMetadata()
                .addToStringData("AWS_ACCESS_KEY_ID", "id")
                .addToStringData("AWS_SECRET_ACCESS_KEY", "key")
                .build())
        .create();
    Deployment tempo = await().until(() -> deployment("default-tempo"), o -> o != null);
    assertThat(tempo.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("-config.expand-env=true");
    awaitReady("default", "False", "TempoStarting");
  }

  @Test
  void statusListsTheSelectedNamespacesButNeverProtectedOnes() throws IOException {
    for (String ns : new String[] {"shop", "payments", MockCluster.OPERATOR_NAMESPACE, "plain"}) {
      var builder = new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata();
      if (!ns.equals("plain")) {
        builder.editMetadata().addToLabels(Traceroll.INJECT_LABEL, "enabled").endMetadata();
      }
      cluster.client.resource(builder.build()).create();
    }
    create(sample("tracingpolicy-otlp.yaml"));

    await()
        .until(
            () ->
                Optional.ofNullable(get("to-collector").getStatus())
                    .map(s -> s.getNamespaces())
                    .orElse(null),
            ns -> ns != null && ns.equals(java.util.List.of("payments", "shop")));

    cluster
        .client
        .namespaces()
        .withName("plain")
        .edit(
            ns -> {
              ns.getMetadata().setLabels(Map.of(Traceroll.INJECT_LABEL, "enabled"));
              return ns;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> get("to-collector").getStatus().getNamespaces(),
            ns -> ns.equals(java.util.List.of("payments", "plain", "shop")));
  }

  @Test
  void aNamespaceSelectedByTwoPoliciesIsGovernedByTheOneItNamesElseTheOldest() throws IOException {
    cluster
        .client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("shop")
                .addToLabels(Traceroll.INJECT_LABEL, "enabled")
                .endMetadata()
                .build())
        .create();
    create(sample("tracingpolicy-otlp.yaml"));
    await().until(() -> namespacesOf("to-collector").equals(java.util.List.of("shop")));
    TracingPolicy younger = sample("tracingpolicy-otlp.yaml");
    younger.getMetadata().setName("younger");
    create(younger);

    await()
        .until(
            () -> conflictsOf("younger").equals(java.util.List.of("shop=" + NS + ".to-collector")));
    assertThat(namespacesOf("younger")).isEmpty();
    assertThat(condition(get("younger"), "Conflict").map(Condition::getStatus)).contains("True");

    cluster
        .client
        .namespaces()
        .withName("shop")
        .edit(
            ns -> {
              ns.getMetadata().getLabels().put(Traceroll.POLICY_LABEL, NS + ".younger");
              return ns;
            });
    await().until(() -> namespacesOf("younger").equals(java.util.List.of("shop")));
    await()
        .until(
            () -> conflictsOf("to-collector").equals(java.util.List.of("shop=" + NS + ".younger")));
  }

  @Test
  void tailSamplingDeploysAGatewayThatAgentsExportToAndReadinessWaitsForIt() throws IOException {
    TracingPolicy policy = create(sample("tracingpolicy-tail.yaml"));

    ConfigMap config =
        await().until(() -> configMap("errors-first-gateway-config"), o -> o != null);
    Deployment gateway = await().until(() -> deployment("errors-first-gateway"), o -> o != null);
    Service service = await().until(() -> service("errors-first-gateway"), o -> o != null);
    for (HasMetadata child : new HasMetadata[] {config, gateway, service}) {
      OwnerReference owner = child.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getKind()).isEqualTo("TracingPolicy");
      assertThat(owner.getUid()).isEqualTo(policy.getMetadata().getUid());
    }
    assertThat(config.getData().get("collector.yaml"))
        .contains("tail_sampling")
        .contains("threshold_ms: 2000")
        .contains("endpoint: http://errors-first-tempo.observability.svc:4317");
    assertThat(gateway.getSpec().getReplicas()).isEqualTo(1);
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getPort)
        .containsExactly(4317, 4318);
    assertThat(secret("errors-first-gateway-headers")).isNull();

    awaitReady("errors-first", "False", "TempoStarting");
    assertThat(get("errors-first").getStatus().getBackend().getEndpoint())
        .isEqualTo("http://errors-first-gateway.observability.svc:4317");
    markDeploymentReady("errors-first-tempo");
    awaitReady("errors-first", "False", "GatewayStarting");
    markDeploymentReady("errors-first-gateway");
    awaitReady("errors-first", "True", "Reconciled");
    assertThat(condition(get("errors-first"), "BackendReady").map(Condition::getMessage))
        .contains("Tempo is ready through the tail-sampling gateway");
  }

  @Test
  void tailChangesRollTheGatewayAndRemovingTailDeletesIt() throws IOException {
    create(sample("tracingpolicy-tail.yaml"));
    Deployment before = await().until(() -> deployment("errors-first-gateway"), o -> o != null);
    String hashBefore = configHash(before.getSpec().getTemplate());

    edit("errors-first", p -> p.getSpec().getSampling().getTail().setRatio(0.5));
    await()
        .until(
            () -> configMap("errors-first-gateway-config").getData().get("collector.yaml"),
            yaml -> yaml.contains("sampling_percentage: 50.0"));
    await()
        .until(
            () -> configHash(deployment("errors-first-gateway").getSpec().getTemplate()),
            h -> !h.equals(hashBefore));

    edit("errors-first", p -> p.getSpec().getSampling().setTail(null));
    await().until(() -> deployment("errors-first-gateway") == null);
    await().until(() -> service("errors-first-gateway") == null);
    await().until(() -> configMap("errors-first-gateway-config") == null);
    await()
        .until(
            () -> get("errors-first").getStatus().getBackend().getEndpoint(),
            "http://errors-first-tempo.observability.svc:4317"::equals);
    // Tempo stays.
    assertThat(deployment("errors-first-tempo")).isNotNull();
  }

  @Test
  void aGatewayBesideAVolumeBackedTempoIsLeftAloneByTheTempoDeploymentsPrecondition()
      throws Exception {
    TracingPolicy policy = sample("tracingpolicy-tempo.yaml");
    policy.getSpec().getSampling().setTail(new TailSampling());
    create(policy);

    await().until(() -> statefulSet("default-tempo"), o -> o != null);
    Deployment gateway = await().until(() -> deployment("default-gateway"), o -> o != null);
    // Tempo on a volume has no Deployment, and the workflow deletes "the" Tempo Deployment on
    // every reconcile: by name, so the gateway's stays.
    markStatefulSetReady("default-tempo");
    awaitReady("default", "False", "GatewayStarting");
    Thread.sleep(1000);
    assertThat(deployment("default-gateway").getMetadata().getUid())
        .isEqualTo(gateway.getMetadata().getUid());
    assertThat(deployment("default-tempo")).isNull();
  }

  @Test
  void theGatewaySendsTheBackendsHeadersFromTheUsersSecret() throws IOException {
    TracingPolicy policy = sample("tracingpolicy-otlp.yaml");
    policy.getSpec().getBackend().getOtlpEndpoint().setHeadersSecretName("vendor-key");
    policy.getSpec().getSampling().setTail(new TailSampling());
    create(policy);

    Condition missing = awaitReady("to-collector", "False", "HeadersSecretNotFound");
    assertThat(missing.getMessage()).contains("observability/vendor-key");
    assertThat(deployment("to-collector-gateway")).isNull();

    cluster
        .client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("vendor-key")
                .withNamespace(NS)
                .endMetadata()
                .addToStringData("headers", "api-key=s3cr%3Dt,x-tenant=shop")
                .build())
        .create();

    Secret copy = await().until(() -> secret("to-collector-gateway-headers"), o -> o != null);
    assertThat(GatewayHeadersSecretDependent.value(copy, "headers.json"))
        .isEqualTo("{\"api-key\":\"s3cr=t\",\"x-tenant\":\"shop\"}");
    assertThat(copy.getMetadata().getOwnerReferences()).hasSize(1);
    Deployment gateway = await().until(() -> deployment("to-collector-gateway"), o -> o != null);
    var env = gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0);
    assertThat(env.getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("to-collector-gateway-headers");
    assertThat(configMap("to-collector-gateway-config").getData().get("collector.yaml"))
        .contains("${env:TRACEROLL_OTLP_HEADERS}")
        .doesNotContain("s3cr");

    edit("to-collector", p -> p.getSpec().getSampling().setTail(null));
    await().until(() -> secret("to-collector-gateway-headers") == null);
    await().until(() -> deployment("to-collector-gateway") == null);
  }

  @Test
  void aGrafanaDataSourceIsProvisionedOwnedByThePolicyAndRemovedWhenDisabled() throws IOException {
    TracingPolicy policy = create(sample("tracingpolicy-grafana.yaml"));

    ConfigMap datasource =
        await().until(() -> configMap("correlated-grafana-datasource"), o -> o != null);
    OwnerReference owner = datasource.getMetadata().getOwnerReferences().get(0);
    assertThat(owner.getKind()).isEqualTo("TracingPolicy");
    assertThat(owner.getUid()).isEqualTo(policy.getMetadata().getUid());
    assertThat(datasource.getMetadata().getLabels())
        .containsEntry("grafana_datasource", "1")
        .containsEntry("app.kubernetes.io/managed-by", "traceroll");
    assertThat(datasource.getData()).containsOnlyKeys("traceroll-observability.correlated.yaml");
    assertThat(datasource.getData().get("traceroll-observability.correlated.yaml"))
        .contains("url: http://correlated-tempo.observability.svc:3200")
        .contains("datasourceUid: loki")
        .contains("datasourceUid: prometheus");
    // The metrics the data source links to are the ones this policy's Tempo writes.
    assertThat(configMap("correlated-tempo-config").getData().get("tempo.yaml"))
        .contains("send_exemplars: true")
        .contains("traceroll_policy: observability/correlated")
        .contains("cluster: prod");

    edit("correlated", p -> p.getSpec().getGrafana().getDatasource().setLokiDatasourceUid(null));
    await()
        .until(
            () ->
                configMap("correlated-grafana-datasource")
                    .getData()
                    .get("traceroll-observability.correlated.yaml"),
            yaml -> !yaml.contains("tracesToLogsV2"));

    edit("correlated", p -> p.getSpec().getGrafana().getDatasource().setEnabled(false));
    await().until(() -> configMap("correlated-grafana-datasource") == null);
    // Tempo stays.
    assertThat(configMap("correlated-tempo-config")).isNotNull();

    edit("correlated", p -> p.getSpec().getGrafana().getDatasource().setEnabled(true));
    await().until(() -> configMap("correlated-grafana-datasource"), o -> o != null);
    edit("correlated", p -> p.getSpec().setGrafana(null));
    await().until(() -> configMap("correlated-grafana-datasource") == null);
  }

  @Test
  void remoteWriteCredentialsMustExistBeforeTempoMountsThem() throws IOException {
    TracingPolicy policy = sample("tracingpolicy-grafana.yaml");
    var auth = new io.traceroll.api.v1alpha1.BasicAuthSecret();
    auth.setName("prom-writer");
    policy.getSpec().getBackend().getTempo().getMetricsGenerator().setBasicAuthSecret(auth);
    create(policy);

    Condition missing = awaitReady("correlated", "False", "CredentialsSecretNotFound");
    assertThat(missing.getMessage())
        .contains("observability/prom-writer")
        .contains("metricsGenerator.basicAuthSecret");
    assertThat(statefulSet("correlated-tempo")).isNull();

    cluster
        .client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("prom-writer")
                .withNamespace(NS)
                .endMetadata()
                .addToStringData("username", "tempo")
                .build())
        .create();
    awaitReady("correlated", "False", "CredentialsKeyMissing");

    cluster
        .client
        .secrets()
        .inNamespace(NS)
        .withName("prom-writer")
        .edit(
            s -> {
              s.getStringData().put("password", "s3cret");
              return s;
            });
    StatefulSet tempo = await().until(() -> statefulSet("correlated-tempo"), o -> o != null);
    assertThat(tempo.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactly("prom-writer");
    assertThat(configMap("correlated-tempo-config").getData().get("tempo.yaml"))
        .contains("password_file: /var/run/traceroll/remote-write/password")
        .doesNotContain("s3cret");
  }

  // --- helpers ---

  java.util.List<String> namespacesOf(String policy) {
    TracingPolicy p = get(policy);
    return p.getStatus() == null ? java.util.List.of() : p.getStatus().getNamespaces();
  }

  java.util.List<String> conflictsOf(String policy) {
    TracingPolicy p = get(policy);
    return p.getStatus() == null
        ? java.util.List.of()
        : p.getStatus().getConflicts().stream()
            .map(c -> c.getNamespace() + "=" + c.getGovernedBy())
            .toList();
  }

  @Test
  void reconcilesAndRolloutProgressShowInMetricsAndADeletedPolicysSeriesGo() throws IOException {
    create(sample("tracingpolicy-otlp.yaml"));
    awaitReady("to-collector", "True", "Reconciled");
    await().until(() -> get("to-collector").getStatus().getRollout() != null);

    String rollout = "traceroll_rollout_workloads{phase=\"instrumented\",policy=\"to-collector\"";
    String scrape = await().until(cluster.registry::scrape, text -> text.contains(rollout));
    assertThat(scrape)
        .contains("traceroll_rollout_governed_workloads{policy=\"to-collector\"")
        .contains("policy_namespace=\"" + NS + "\"")
        // JOSDK's reconcile timer, with buckets sized for reconciles
        .contains("operator_sdk_controllers_execution_reconcile_seconds_bucket{")
        .contains("le=\"0.005\"")
        .contains("le=\"30.0\"")
        .contains("operator_sdk_controllers_execution_reconcile_success_total{")
        .contains("operator_sdk_reconciliations_started_total{");
    assertThat(
            scrape
                .lines()
                .filter(
                    l ->
                        l.startsWith("operator_sdk_controllers_execution_reconcile_seconds_bucket"))
                .count())
        .isEqualTo(13);

    cluster.client.resource(get("to-collector")).delete();
    await().until(() -> get("to-collector") == null);
    await().until(() -> !cluster.registry.scrape().contains("policy=\"to-collector\""));
  }

  @Test
  void eachReconcileAndCleanupIsASpanNamingThePolicyAndWhatItCameTo() throws IOException {
    create(sample("tracingpolicy-otlp.yaml"));
    awaitReady("to-collector", "True", "Reconciled");

    var reconciled =
        await()
            .until(
                () ->
                    traces.spans("reconcile").stream()
                        .filter(s -> "Reconciled".equals(outcome(s)))
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    assertThat(reconciled.getAttributes().asMap())
        .containsEntry(
            io.opentelemetry.api.common.AttributeKey.stringKey("traceroll.policy.namespace"), NS)
        .containsEntry(
            io.opentelemetry.api.common.AttributeKey.stringKey("traceroll.policy.name"),
            "to-collector");

    cluster.client.resource(get("to-collector")).delete();
    await()
        .until(() -> traces.spans("cleanup").stream().anyMatch(s -> "Deleted".equals(outcome(s))));
  }

  static String outcome(io.opentelemetry.sdk.trace.data.SpanData span) {
    return span.getAttributes()
        .get(io.opentelemetry.api.common.AttributeKey.stringKey("traceroll.reconcile.outcome"));
  }

  static TracingPolicy sample(String file) throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("../examples", file))) {
      return Serialization.unmarshal(in, TracingPolicy.class);
    }
  }

  TracingPolicy create(TracingPolicy policy) {
    return cluster.client.resource(policy).inNamespace(NS).create();
  }

  /** Changes a policy, retrying when the operator's own write (status, finalizer) got in first. */
  void edit(String name, java.util.function.Consumer<TracingPolicy> change) {
    for (int attempt = 0; ; attempt++) {
      try {
        cluster
            .client
            .resources(TracingPolicy.class)
            .inNamespace(NS)
            .withName(name)
            .edit(
                p -> {
                  change.accept(p);
                  return p;
                });
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  TracingPolicy get(String name) {
    return cluster.client.resources(TracingPolicy.class).inNamespace(NS).withName(name).get();
  }

  Condition awaitReady(String name, String status, String reason) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                Optional.ofNullable(get(name).getStatus())
                    .flatMap(s -> condition(get(name), "Ready")),
            c ->
                c.isPresent()
                    && c.get().getStatus().equals(status)
                    && c.get().getReason().equals(reason))
        .orElseThrow();
  }

  static Optional<Condition> condition(TracingPolicy policy, String type) {
    return policy.getStatus() == null
        ? Optional.empty()
        : PolicyConditions.find(policy.getStatus().getConditions(), type);
  }

  void markStatefulSetReady(String name) {
    StatefulSet sts = statefulSet(name);
    sts.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(1).build());
    cluster.client.resource(sts).updateStatus();
  }

  void markDeploymentReady(String name) {
    Deployment deployment = deployment(name);
    deployment.setStatus(
        new DeploymentStatusBuilder().withReplicas(1).withReadyReplicas(1).build());
    cluster.client.resource(deployment).updateStatus();
  }

  static String configHash(PodTemplateSpec template) {
    return template.getMetadata().getAnnotations().get(Traceroll.CONFIG_HASH_ANNOTATION);
  }

  Secret secret(String name) {
    return cluster.client.secrets().inNamespace(NS).withName(name).get();
  }

  static String configHash(StatefulSet sts) {
    return sts.getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(Traceroll.CONFIG_HASH_ANNOTATION);
  }

  ConfigMap configMap(String name) {
    return cluster.client.configMaps().inNamespace(NS).withName(name).get();
  }

  StatefulSet statefulSet(String name) {
    return cluster.client.apps().statefulSets().inNamespace(NS).withName(name).get();
  }

  Deployment deployment(String name) {
    return cluster.client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  Service service(String name) {
    return cluster.client.services().inNamespace(NS).withName(name).get();
  }
}
