package dev.gatehouse.engine.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.DecisionJson;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProvidersBulkTest {

    @Test
    void prewarm_ipgeolocation_fillsTheCache_countsTwoCreditsPerValidIp() throws Exception {
        try (Harness h = new Harness("ipgeolocation")) {
            h.server.answer(200, Seeds.IPGEO_BULK);
            List<Providers.PrewarmResult> results = h.providers.prewarm(List.of(IpAddress.parse("2.56.188.34"),
                    IpAddress.parse("2.56.188.34"), IpAddress.parse("10.0.0.1"))).join();
            assertThat(results).containsExactly(new Providers.PrewarmResult("ipgeolocation", 1, 1, 1, 2, null));
            FakeProvider.Seen call = h.server.last();
            assertThat(call.method()).isEqualTo("POST");
            assertThat(call.path()).isEqualTo("/v3/security-bulk");
            assertThat(call.query()).contains("apiKey=" + Harness.KEY);
            assertThat(call.body()).isEqualTo("{\"ips\":[\"2.56.188.34\"]}"); // private and duplicate addresses dropped
            assertThat(h.enrich("2.56.188.34").value(Signal.THREAT_SCORE)).isEqualTo(80);
            assertThat(h.server.requests()).isEqualTo(1); // from the cache
        }
    }

    @Test
    void prewarm_ipinsights_sendsAtMostHundredPerCall() throws Exception {
        try (Harness h = new Harness("ipinsights", b -> b.quotaPerHour(0))) {
            JsonNode data = ProviderApi.MAPPER.readTree(Seeds.IPINSIGHTS_LOOKUP).path("data");
            h.server.answer(200, "{\"success\": true, \"data\": [" + data + "]}");
            List<IpAddress> ips = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                ips.add(IpAddress.parse(i == 0 ? "8.8.8.8" : "8.8." + (i / 200) + "." + (i % 200)));
            }
            Providers.PrewarmResult r = h.providers.prewarm(ips).join().get(0);
            assertThat(r.calls()).isEqualTo(3);
            assertThat(h.server.requests()).isEqualTo(3);
            assertThat(h.server.last().header("X-API-Key")).isEqualTo(Harness.KEY);
            assertThat(h.enrich("8.8.8.8").value(Signal.THREAT_SCORE)).isEqualTo(10);
        }
    }

    @Test
    void report_isOffByDefault_thenSampledAndDeduplicated() throws Exception {
        Signals attacker = Signals.builder(IpAddress.parse("203.0.113.42")).put(Signal.TOR, true, "embedded:tor").build();
        try (Harness h = new Harness("ipinsights")) {
            h.server.answer(201, Seeds.IPINSIGHTS_REPORT_CREATED);
            assertThat(h.providers.report(attacker, "block-tor").join()).isFalse();
            assertThat(h.server.requests()).isZero();
        }
        try (Harness h = new Harness("ipinsights", b -> b.reportSampleRate(1.0))) {
            h.server.answer(201, Seeds.IPINSIGHTS_REPORT_CREATED);
            assertThat(h.providers.report(attacker, "block-tor").join()).isTrue();
            assertThat(h.providers.report(attacker, "block-tor").join()).isFalse();
            assertThat(h.server.requests()).isEqualTo(1);
            JsonNode body = ProviderApi.MAPPER.readTree(h.server.last().body());
            assertThat(body.path("ip").asText()).isEqualTo("203.0.113.42");
            assertThat(body.path("categories").get(0).asText()).isEqualTo("tor_abuse");
            assertThat(body.path("source").asText()).isEqualTo("manual");
        }
    }

    @Test
    void ask_givesOneLineErrors_andTheKeyNeverLeaks() throws Exception {
        try (Harness h = new Harness("ipgeolocation")) {
            h.server.answer(400, Seeds.message("Provided API key " + Harness.KEY + " has invalid characters"));
            Signals s = h.providers.ask("ipgeolocation", IpAddress.parse("2.56.188.34")).join();
            assertThat(DecisionJson.signals(s, Instant.EPOCH)).doesNotContain(Harness.KEY).contains("****");
            h.server.answer(401, Seeds.message("Provided API key is not valid."));
            assertThatThrownBy(() -> h.providers.ask("ipgeolocation", IpAddress.parse("2.56.188.35")).join())
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .cause().hasMessage("ipgeolocation: 401 Provided API key is not valid.");
            assertThat(h.registry.getMeters()).allSatisfy(m -> assertThat(m.getId().toString()).doesNotContain(Harness.KEY));
        }
    }

    @Test
    void explainJson_showsEachProvidersOwnValues() throws Exception {
        try (Harness h = new Harness("ipintel")) {
            h.server.answer(200, Seeds.IPINTEL_IP);
            JsonNode json = ProviderApi.MAPPER.readTree(DecisionJson.signals(h.enrich("20.204.24.249"), Instant.EPOCH));
            assertThat(json.path("answers").path("provider:ipintel").path("signals").path("threat_score").asInt()).isEqualTo(22);
            assertThat(json.path("answers").path("provider:ipintel").path("raw").path("verified_bot_type").asText()).isEqualTo("AI bot");
            assertThat(json.path("threat_score").path("sources").get(0).asText()).isEqualTo("provider:ipintel");
        }
    }
}
