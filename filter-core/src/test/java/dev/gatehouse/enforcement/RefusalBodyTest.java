package dev.gatehouse.enforcement;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalBodyTest {

    private static Decision decision(Verdict verdict, String rule, int status, String message) {
        return new Decision(verdict, rule, new Decision.Response(status, Map.of(), message), null,
                Signals.of(IpAddress.parse("192.0.2.1")), List.of(), Decision.Timings.NONE);
    }

    @Test
    void render_json_isValidAndNamesTheRule() throws Exception {
        RefusalBody.Rendered r = RefusalBody.render(decision(Verdict.BLOCK, "rule/block-tor", 403, "Forbidden"), "application/json");
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode json = new ObjectMapper().readTree(r.body());
        assertThat(json.get("verdict").asText()).isEqualTo("block");
        assertThat(json.get("rule").asText()).isEqualTo("rule/block-tor");
        assertThat(json.get("status").asInt()).isEqualTo(403);
        assertThat(json.get("message").asText()).isEqualTo("Forbidden");
    }

    @Test
    void render_json_escapesHostileText() throws Exception {
        String nasty = "a\"b\\c\nd\u0001</script>";
        RefusalBody.Rendered r = RefusalBody.render(decision(Verdict.BLOCK, "rule/" + nasty, 403, nasty), "application/json");
        JsonNode json = new ObjectMapper().readTree(r.body());
        assertThat(json.get("message").asText()).isEqualTo(nasty);
        assertThat(json.get("rule").asText()).isEqualTo("rule/" + nasty);
    }

    @Test
    void render_html_isThePageWithTheMessageEscaped() {
        // the page says what happened in plain words and the rule's message; the rule's id is the log's (and the JSON's)
        RefusalBody.Rendered r = RefusalBody.render(decision(Verdict.RATE_LIMIT, "rule/<slow>", 429, "Too <many> & \"more\""), "text/html",
                "req-1", Pages.defaults());
        assertThat(r.contentType()).startsWith("text/html");
        assertThat(r.body()).contains("Too many requests", "Too &lt;many&gt; &amp; &quot;more&quot;", "<code id=\"request-id\">req-1</code>")
                .doesNotContain("<slow>").doesNotContain("<many>");
    }

    @Test
    void render_json_carriesTheRequestId() throws Exception {
        RefusalBody.Rendered r = RefusalBody.render(decision(Verdict.BLOCK, "rule/x", 403, "no"), "application/json", "req-2", Pages.defaults());
        assertThat(new ObjectMapper().readTree(r.body()).path("request_id").asText()).isEqualTo("req-2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "NULL|false",
            "''|false",
            "application/json|true",
            "application/problem+json|true",
            "APPLICATION/JSON; charset=utf-8|true",
            "text/html|false",
            "*/*|false",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8|false",
            "application/json, text/html|true",
            "text/html, application/json|false",
            "text/html;q=0.1, application/json|true",
            "application/json;q=0.5, text/html;q=0.9|false",
            "application/json;q=0|false",
            "application/json;q=bogus|false",
            "application/*|true",
            "application/*, text/*|true",
            "text/*, application/json;q=0.5|false",
            "application/json, */*;q=0.1|true",
            "*/*, application/json;q=0.9|false",
            "text/plain|false",
    })
    void prefersJson_byAcceptHeader(String accept, boolean json) {
        assertThat(RefusalBody.prefersJson(accept)).isEqualTo(json);
    }

    @Test
    void prefersJson_hugeHeader_isHtmlWithoutWork() {
        assertThat(RefusalBody.prefersJson("application/json," + "x/y;q=0.1,".repeat(10_000))).isFalse();
        assertThat(RefusalBody.prefersJson("x/y,".repeat(100) + "application/json")).isFalse();
    }
}
