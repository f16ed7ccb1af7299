package dev.gatehouse.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.TrustedProxies;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EnforcementTest {

    private static Decision decision(Verdict verdict, int status, Map<String, String> headers, Verdict shadowed) {
        return new Decision(verdict, "rule/r", new Decision.Response(status, headers, "No"), shadowed,
                Signals.of(IpAddress.parse("192.0.2.1")), List.of(), Decision.Timings.NONE);
    }

    @Test
    void refusalStatus_fromTheDecision_orTheVerdictsUsualOne() {
        assertThat(Enforcement.refusalStatus(decision(Verdict.BLOCK, 451, Map.of(), null))).isEqualTo(451);
        assertThat(Enforcement.refusalStatus(decision(Verdict.BLOCK, 0, Map.of(), null))).isEqualTo(403);
        assertThat(Enforcement.refusalStatus(decision(Verdict.RATE_LIMIT, 0, Map.of(), null))).isEqualTo(429);
        assertThat(Enforcement.refusalStatus(decision(Verdict.RATE_LIMIT, 200, Map.of(), null))).isEqualTo(429);
    }

    @Test
    void passes_allowOrShadowedRefusal() {
        assertThat(Enforcement.passes(decision(Verdict.ALLOW, 0, Map.of(), null))).isTrue();
        assertThat(Enforcement.passes(decision(Verdict.ALLOW, 0, Map.of(), Verdict.BLOCK))).isTrue();
        assertThat(Enforcement.passes(decision(Verdict.BLOCK, 403, Map.of(), null))).isFalse();
        assertThat(Enforcement.passes(decision(Verdict.RATE_LIMIT, 429, Map.of(), null))).isFalse();
    }

    @Test
    void refusal_rateLimitCarriesItsHeadersNoStoreAndAJsonBodyWithTheSentStatus() throws Exception {
        Refusal refusal = Refusal.of(decision(Verdict.RATE_LIMIT, 0, Map.of("Retry-After", "7", "RateLimit", "\"d\";r=0;t=7"), null),
                "application/json");

        assertThat(refusal.status()).isEqualTo(429);
        assertThat(refusal.headers()).containsEntry("Retry-After", "7").containsEntry("RateLimit", "\"d\";r=0;t=7")
                .containsEntry("Cache-Control", "no-store");
        JsonNode json = new ObjectMapper().readTree(new String(refusal.body(), StandardCharsets.UTF_8));
        assertThat(json.get("status").asInt()).isEqualTo(429);
        assertThat(refusal.contentLength()).isEqualTo(refusal.body().length);
    }

    @Test
    void undecided_failOpenAllows_failClosedAnswers503() {
        Decision open = Enforcement.undecided(true, IpAddress.parse("192.0.2.1"), Enforcement.RULE_TIMEOUT, "late");
        Decision closed = Enforcement.undecided(false, IpAddress.parse("192.0.2.1"), Enforcement.RULE_TIMEOUT, "late");

        assertThat(open.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(open.rule()).isEqualTo("error/timeout");
        assertThat(closed.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(Refusal.of(closed, null).status()).isEqualTo(503);
    }

    @Test
    void peer_notAnIpAddress_isNoAddressAndNeverLoopbackOrTrusted() {
        assertThat(Enforcement.peer(UnixDomainSocketAddress.of("/run/gatehouse.sock"))).isNull();
        assertThat(Enforcement.peer(InetSocketAddress.createUnresolved("somewhere", 1))).isNull();
        assertThat(Enforcement.peer("/run/gatehouse.sock")).isNull();
        assertThat(Enforcement.peer((String) null)).isNull();
        assertThat(Enforcement.peer("[::1]")).hasToString("::1");
        assertThat(Enforcement.peer(new InetSocketAddress("203.0.113.9", 5555))).hasToString("203.0.113.9");

        Decision decision = Enforcement.peerNotIp(true);
        assertThat(decision.rule()).isEqualTo(Enforcement.RULE_PEER_NOT_IP);
        assertThat(decision.signals().ip()).isEqualTo(Enforcement.NO_ADDRESS);
        assertThat(TrustedProxies.parse(List.of("loopback", "private")).isTrusted(Enforcement.NO_ADDRESS)).isFalse();
        assertThat(Enforcement.peerNotIp(false).response().status()).isEqualTo(503);
    }
}
