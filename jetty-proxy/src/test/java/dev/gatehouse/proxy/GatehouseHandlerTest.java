package dev.gatehouse.proxy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GatehouseHandlerTest {

    private static Decision decision(Verdict verdict, int status, Signals signals) {
        Decision.Response response = status == 0 ? Decision.Response.PASS : new Decision.Response(status, Map.of(), "no");
        return new Decision(verdict, "rule/r", response, null, signals, List.of(), Decision.Timings.NONE);
    }

    /** The headers putUpstreamHeaders sets, in order. */
    private static Map<String, String> upstreamHeaders(Decision decision) {
        HttpFields.Mutable fields = HttpFields.build();
        GatehouseHandler.putUpstreamHeaders(decision, fields);
        Map<String, String> headers = new LinkedHashMap<>();
        fields.forEach(f -> headers.put(f.getName(), f.getValue()));
        return headers;
    }

    @Test
    void putUpstreamHeaders_replacesWhatIsThere() {
        HttpFields.Mutable fields = HttpFields.build().add("X-Gatehouse-Verdict", "forged").add("Accept", "*/*");

        GatehouseHandler.putUpstreamHeaders(decision(Verdict.RATE_LIMIT, 0, Signals.of(IpAddress.parse("192.0.2.1"))), fields);

        assertThat(fields.getValuesList("X-Gatehouse-Verdict")).containsExactly("rate_limit");
        assertThat(fields.get("Accept")).isEqualTo("*/*");
    }

    @Test
    void upstreamHeaders_verdictRuleAndScore() {
        Signals signals = Signals.builder(IpAddress.parse("192.0.2.1")).put(Signal.THREAT_SCORE, 35, "scoring").build();

        Map<String, String> headers = upstreamHeaders(decision(Verdict.ALLOW, 0, signals));

        assertThat(headers).containsExactly(Map.entry("X-Gatehouse-Verdict", "allow"), Map.entry("X-Gatehouse-Rule", "rule/r"),
                Map.entry("X-Gatehouse-Threat-Score", "35"));
    }

    @Test
    void upstreamHeaders_botWithCategoryAndVerification() {
        Signals signals = Signals.builder(IpAddress.parse("66.249.66.1"))
                .put(Signal.BOT_NAME, "Googlebot", "embedded:crawlers")
                .put(Signal.BOT_CATEGORY, "search", "embedded:crawlers")
                .put(Signal.BOT_VERIFIED, "verified", "embedded:crawlers")
                .build();

        Map<String, String> headers = upstreamHeaders(decision(Verdict.ALLOW, 0, signals));

        assertThat(headers).containsEntry("X-Gatehouse-Bot", "Googlebot; category=search; verified=verified")
                .containsEntry("X-Gatehouse-Threat-Score", "0");
    }

    @Test
    void upstreamHeaders_namesAreTheDesignContractsAndTheStripList() {
        assertThat(GatehouseHandler.UPSTREAM_HEADERS)
                .containsExactly("X-Gatehouse-Verdict", "X-Gatehouse-Rule", "X-Gatehouse-Threat-Score", "X-Gatehouse-Bot");
    }

    @Test
    void refusalStatus_fromTheDecision_orTheVerdictsUsualOne() {
        Signals none = Signals.of(IpAddress.parse("192.0.2.1"));

        assertThat(GatehouseHandler.refusalStatus(decision(Verdict.BLOCK, 451, none))).isEqualTo(451);
        assertThat(GatehouseHandler.refusalStatus(decision(Verdict.BLOCK, 0, none))).isEqualTo(403);
        assertThat(GatehouseHandler.refusalStatus(decision(Verdict.RATE_LIMIT, 0, none))).isEqualTo(429);
    }

    @Test
    void peerAddress_socketAddressWithoutLookup() {
        assertThat(GatehouseHandler.peerAddress(new InetSocketAddress("203.0.113.9", 5555)))
                .isEqualTo(IpAddress.parse("203.0.113.9"));
        assertThat(GatehouseHandler.peerAddress(InetSocketAddress.createUnresolved("somewhere", 1)))
                .isEqualTo(IpAddress.parse("127.0.0.1"));
    }
}
