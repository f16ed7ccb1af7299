package dev.gatehouse.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON Schema editors use ({@code policies/gatehouse-policy.schema.json}) names exactly the keys the
 * loader accepts, so completion never suggests a key the loader refuses, nor misses one it accepts.
 */
class PolicySchemaTest {

    static JsonNode schema;

    @BeforeAll
    static void readSchema() throws IOException {
        // Surefire runs in the module directory; the schema ships from the sibling policies module
        schema = new ObjectMapper().readTree(Path.of("..", "policies", "gatehouse-policy.schema.json").toFile());
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void schema_topLevelKeys_matchTheLoader() {
        assertThat(names(schema.get("properties"))).containsExactlyInAnyOrderElementsOf(PolicyParser.TOP_KEYS);
        assertThat(schema.get("$schema").asText()).contains("2020-12");
    }

    @Test
    void schema_ruleAndLimitKeys_matchTheLoader() {
        JsonNode defs = schema.get("$defs");
        assertThat(names(defs.get("rule").get("properties"))).containsExactlyInAnyOrderElementsOf(PolicyParser.RULE_KEYS);
        assertThat(names(defs.get("limit").get("properties"))).containsExactlyInAnyOrderElementsOf(PolicyParser.LIMIT_KEYS);
        assertThat(names(defs.get("defaultAction").get("properties"))).containsExactlyInAnyOrderElementsOf(PolicyParser.DEFAULT_KEYS);
        JsonNode ipPrefix = defs.get("limit").get("properties").get("ip_prefix");
        assertThat(names(ipPrefix.get("properties"))).containsExactlyInAnyOrderElementsOf(PolicyParser.IP_PREFIX_KEYS);
        assertThat(ipPrefix.get("properties").get("v4").get("maximum").asInt()).isEqualTo(32);
        assertThat(ipPrefix.get("properties").get("v6").get("maximum").asInt()).isEqualTo(128);
    }

    @Test
    void schema_conditionKeys_areEverySignalAndRequestAttribute() {
        JsonNode condition = schema.get("$defs").get("condition");
        List<String> keys = new ArrayList<>(names(condition.get("properties")));
        assertThat(names(condition.get("patternProperties"))).singleElement().asString().startsWith("^request\\.header\\.");
        keys.add("request.header.<name>");
        assertThat(keys).containsExactlyInAnyOrderElementsOf(ConditionParser.KEYS);
    }

    @Test
    void schema_enumerations_matchTheLoader() {
        JsonNode props = schema.get("$defs").get("condition").get("properties");
        assertThat(props.get("bot_verified").get("oneOf").get(0).get("enum")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(ConditionParser.BOT_VERIFIED);
        assertThat(props.get("bot_category").get("oneOf").get(0).get("enum")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(ConditionParser.BOT_CATEGORIES);
    }
}
