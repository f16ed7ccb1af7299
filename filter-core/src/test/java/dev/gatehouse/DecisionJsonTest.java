package dev.gatehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecisionJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    private static Signals torSignals() {
        return Signals.builder(IpAddress.parse("5.2.67.226"))
                .put(Signal.TOR, true, "embedded:tor")
                .put(Signal.ASN, 12345, "embedded:asn")
                .put(Signal.AS_ORG, "Example \"Net\"", "embedded:asn")
                .put(Signal.THREAT_SCORE, 60, "scoring")
                .source(new Signals.SourceStatus("embedded:tor", Instant.parse("2026-11-25T10:00:00Z"), null))
                .source(new Signals.SourceStatus("rdns", null, "timed out"))
                .contribution(new Signals.ScoreContribution("tor exit", 60, "embedded:tor"))
                .note("budget exceeded")
                .build();
    }

    @Test
    void signals_keyedBySignalNamesWithValuesAndSources() throws Exception {
        JsonNode json = MAPPER.readTree(DecisionJson.signals(torSignals(), NOW));

        assertThat(json.get("ip").get("value").asText()).isEqualTo("5.2.67.226");
        assertThat(json.get("ip_version").get("value").asInt()).isEqualTo(4);
        assertThat(json.get("tor").get("value").isBoolean()).isTrue();
        assertThat(json.get("tor").get("value").asBoolean()).isTrue();
        assertThat(json.get("tor").get("sources").get(0).asText()).isEqualTo("embedded:tor");
        assertThat(json.get("asn").get("value").isInt()).isTrue();
        assertThat(json.get("as_org").get("value").asText()).isEqualTo("Example \"Net\"");
        assertThat(json.get("threat_score").get("value").asInt()).isEqualTo(60);
    }

    @Test
    void signals_absentSignalsAreLeftOut() throws Exception {
        JsonNode json = MAPPER.readTree(DecisionJson.signals(Signals.of(IpAddress.parse("2001:db8::1")), NOW));

        assertThat(json.has("tor")).isFalse();
        assertThat(json.has("vpn")).isFalse();
        assertThat(json.get("ip_version").get("value").asInt()).isEqualTo(6);
        assertThat(json.get("sources").size()).isZero();
        assertThat(json.get("contributions").size()).isZero();
    }

    @Test
    void signals_sourcesCarryTheirAgeAtNow() throws Exception {
        JsonNode json = MAPPER.readTree(DecisionJson.signals(torSignals(), NOW));

        JsonNode tor = json.get("sources").get("embedded:tor");
        assertThat(tor.get("data_as_of").asText()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(tor.get("age_seconds").asLong()).isEqualTo(7200);
        assertThat(tor.get("problem").isNull()).isTrue();
        JsonNode rdns = json.get("sources").get("rdns");
        assertThat(rdns.get("age_seconds").isNull()).isTrue();
        assertThat(rdns.get("problem").asText()).isEqualTo("timed out");
    }

    @Test
    void signals_contributionsAndNotes() throws Exception {
        JsonNode json = MAPPER.readTree(DecisionJson.signals(torSignals(), NOW));

        assertThat(json.get("contributions").get(0).get("reason").asText()).isEqualTo("tor exit");
        assertThat(json.get("contributions").get(0).get("points").asInt()).isEqualTo(60);
        assertThat(json.get("contributions").get(0).get("source").asText()).isEqualTo("embedded:tor");
        assertThat(json.get("notes").get(0).asText()).isEqualTo("budget exceeded");
    }

    @Test
    void signals_isOneLine() {
        assertThat(DecisionJson.signals(torSignals(), NOW)).doesNotContain("\n");
    }

    @Test
    void decision_hasVerdictRuleResponseTraceAndTimingsInMillis() throws Exception {
        Decision decision = new Decision(Verdict.RATE_LIMIT, "rule/limit-tor",
                new Decision.Response(429, Map.of("Retry-After", "7", "RateLimit-Policy", "\"tor\";q=10;w=60"), "Too many requests"),
                null, torSignals(),
                List.of(new Decision.TraceStep("allow-verified-crawlers", false, "bot_verified == verified (was none)"),
                        new Decision.TraceStep("limit-tor", true, "tor == true (was true, embedded:tor)")),
                new Decision.Timings(1_500_000, 2_000, 1_502_000, true));

        JsonNode json = MAPPER.readTree(DecisionJson.decision(decision, NOW));

        assertThat(json.get("verdict").asText()).isEqualTo("rate_limit");
        assertThat(json.get("rule").asText()).isEqualTo("rule/limit-tor");
        assertThat(json.get("shadowed").isNull()).isTrue();
        assertThat(json.get("response").get("status").asInt()).isEqualTo(429);
        assertThat(json.get("response").get("headers").get("Retry-After").asText()).isEqualTo("7");
        assertThat(json.get("response").get("message").asText()).isEqualTo("Too many requests");
        assertThat(json.get("signals").get("tor").get("value").asBoolean()).isTrue();
        assertThat(json.get("trace")).hasSize(2);
        assertThat(json.get("trace").get(1).get("rule").asText()).isEqualTo("limit-tor");
        assertThat(json.get("trace").get(1).get("matched").asBoolean()).isTrue();
        assertThat(json.get("trace").get(0).get("detail").asText()).contains("was none");
        assertThat(json.get("timings").get("engine_ms").asDouble()).isEqualTo(1.5);
        assertThat(json.get("timings").get("policy_ms").asDouble()).isEqualTo(0.002);
        assertThat(json.get("timings").get("total_ms").asDouble()).isEqualTo(1.502);
        assertThat(json.get("timings").get("budget_exceeded").asBoolean()).isTrue();
    }

    @Test
    void decision_shadowedVerdictIsNamed() throws Exception {
        Decision decision = new Decision(Verdict.ALLOW, "rule/block-tor", Decision.Response.PASS, Verdict.BLOCK,
                torSignals(), List.of(), Decision.Timings.NONE);

        JsonNode json = MAPPER.readTree(DecisionJson.decision(decision, NOW));

        assertThat(json.get("verdict").asText()).isEqualTo("allow");
        assertThat(json.get("shadowed").asText()).isEqualTo("block");
    }

    @Test
    void pretty_indentsTheSameContent() throws Exception {
        String compact = DecisionJson.signals(torSignals(), NOW);

        String pretty = DecisionJson.pretty(compact);

        assertThat(pretty).contains("\n");
        assertThat(MAPPER.readTree(pretty)).isEqualTo(MAPPER.readTree(compact));
    }

    @Test
    void pretty_notJson_throws() {
        assertThatThrownBy(() -> DecisionJson.pretty("{nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
    }
}
