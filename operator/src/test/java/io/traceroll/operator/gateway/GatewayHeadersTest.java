package io.traceroll.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayHeadersTest {
  @Test
  void parsesTheOtelHeadersFormatWithUrlEncodedValues() {
    assertThat(
            GatewayHeaders.parse("api-key=s3cr%3Dt, x-tenant = shop ,,authorization=Bearer%20abc"))
        .containsExactly(
            Map.entry("api-key", "s3cr=t"),
            Map.entry("authorization", "Bearer abc"),
            Map.entry("x-tenant", "shop"));
  }

  @Test
  void aValueMayContainEqualsSigns() {
    assertThat(GatewayHeaders.parse("authorization=Basic dXNlcjpwYXNz=="))
        .containsEntry("authorization", "Basic dXNlcjpwYXNz==");
  }

  @Test
  void refusesAnEntryWithoutEqualsAndNeverQuotesTheValue() {
    assertThatThrownBy(() -> GatewayHeaders.parse("api-key=ok,topsecret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2")
        .hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> GatewayHeaders.parse("=value"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theJsonIsAYamlMapAsTheCollectorExpandsIt() throws Exception {
    String json = GatewayHeaders.toJson(Map.of("api-key", "a\"b: c", "x-tenant", "shop"));

    Map<String, Object> asYaml =
        new ObjectMapper(new YAMLFactory()).readValue(json, new TypeReference<>() {});

    assertThat(asYaml)
        .containsEntry("api-key", (Object) "a\"b: c")
        .containsEntry("x-tenant", (Object) "shop");
  }
}
