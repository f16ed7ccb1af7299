package dev.gatehouse.servlet;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ExplainHeaderTest {

    private static final IpAddress CLIENT = IpAddress.parse("192.0.2.66");

    private static ClientIpResolver.Resolution viaProxy() {
        return new ClientIpResolver.Resolution(CLIENT, ClientIpResolver.Reason.FIRST_UNTRUSTED_HOP, "X-Forwarded-For", 1, "x");
    }

    @Test
    void render_blockWithTraceAndTimings() {
        Decision d = new Decision(Verdict.BLOCK, "rule/block-tor", new Decision.Response(403, Map.of(), "Forbidden"), null,
                Signals.of(CLIENT), List.of(new Decision.TraceStep("allow-bots", false, ""), new Decision.TraceStep("block-tor", true, "")),
                new Decision.Timings(412_000, 20_000, 432_000, true));
        assertThat(ExplainHeader.render(d, viaProxy())).isEqualTo("block rule/block-tor; client=192.0.2.66 (FIRST_UNTRUSTED_HOP "
                + "X-Forwarded-For hop 1); trace=allow-bots:no,block-tor:match; engine=0.412ms policy=0.020ms; budget-exceeded");
    }

    @Test
    void render_shadowAndPeer() {
        Decision d = new Decision(Verdict.ALLOW, "rule/block-tor", Decision.Response.PASS, Verdict.BLOCK, Signals.of(CLIENT), List.of(),
                Decision.Timings.NONE);
        ClientIpResolver.Resolution peer = new ClientIpResolver.Resolution(CLIENT, ClientIpResolver.Reason.UNTRUSTED_PEER, null, 0, "x");
        assertThat(ExplainHeader.render(d, peer))
                .isEqualTo("allow rule/block-tor (shadow: would block); client=192.0.2.66 (UNTRUSTED_PEER); engine=0.000ms policy=0.000ms");
    }

    @Test
    void render_hostileRuleNamesAndHugeTraces_stayALegalBoundedHeader() {
        List<Decision.TraceStep> trace = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            trace.add(new Decision.TraceStep("rule\r\nSet-Cookie: x=ü" + i, false, ""));
        }
        Decision d = new Decision(Verdict.ALLOW, "default/allow", Decision.Response.PASS, null, Signals.of(CLIENT), trace, Decision.Timings.NONE);
        String header = ExplainHeader.render(d, viaProxy());
        assertThat(header).hasSize(ExplainHeader.MAX_CHARS).endsWith("...").doesNotContain("\r").doesNotContain("\n").doesNotContain("ü");
        assertThat(header.chars()).allMatch(c -> c >= 0x20 && c < 0x7F);
    }

    @Test
    void render_peerNotAnIpAddress() {
        Decision d = dev.gatehouse.enforcement.Enforcement.peerNotIp(true);

        assertThat(ExplainHeader.render(d, null)).startsWith("allow error/peer-not-ip; client=none (the peer is not an IP address)");
    }
}
