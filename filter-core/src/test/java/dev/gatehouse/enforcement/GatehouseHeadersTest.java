package dev.gatehouse.enforcement;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GatehouseHeadersTest {

    @ParameterizedTest
    @ValueSource(strings = {"X-Gatehouse-Verdict", "x-gatehouse-rule", "X_Gatehouse_Bot", "x_gatehouse-threat_score",
            "X-Gatehouse-Explain", "X-Gatehouse-Client-Ip", "X-GATEHOUSE-", "x_gatehouse_"})
    void isReserved_everySpellingOfThePrefix(String name) {
        assertThat(GatehouseHeaders.isReserved(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Gatehouse", "X-Gatehousekeeping", "XGatehouse-Verdict", "X-Gate-house-Verdict", "X.Gatehouse.Verdict",
            "Gatehouse-Verdict", "X-Forwarded-For", ""})
    void isReserved_otherNames(String name) {
        assertThat(GatehouseHeaders.isReserved(name)).isFalse();
        assertThat(GatehouseHeaders.isReserved(null)).isFalse();
    }

    @Test
    void forEach_verdictRuleScoreAndBotWithCategoryAndVerification() {
        Signals signals = Signals.builder(IpAddress.parse("66.249.66.1"))
                .put(Signal.THREAT_SCORE, 5, "test").put(Signal.BOT_NAME, "Googlebot", "test")
                .put(Signal.BOT_CATEGORY, "search", "test").put(Signal.BOT_VERIFIED, "verified", "test").build();
        Decision decision = new Decision(Verdict.ALLOW, "rule/allow-verified", Decision.Response.PASS, null, signals, List.of(),
                Decision.Timings.NONE);
        List<String> headers = new ArrayList<>();

        GatehouseHeaders.forEach(decision, (name, value) -> headers.add(name + ": " + value));

        assertThat(headers).containsExactly("X-Gatehouse-Verdict: allow", "X-Gatehouse-Rule: rule/allow-verified",
                "X-Gatehouse-Threat-Score: 5", "X-Gatehouse-Bot: Googlebot; category=search; verified=verified");
        assertThat(headers).allSatisfy(h -> assertThat(GatehouseHeaders.isReserved(h.substring(0, h.indexOf(':')))).isTrue());
    }
}
