package dev.gatehouse.engine.provider;

import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.engine.embedded.Scoring;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FusionTest {

    private static final IpAddress IP = IpAddress.parse("20.204.24.249");
    private final Fusion fusion = new Fusion(Map.of("provider:ipintel", 2.0, "provider:ipbot", 1.0, "provider:iptrust", 1.0));

    private static Signals.SourceAnswer answer(String provider, Map<Signal, Object> values) {
        return new Signals.SourceAnswer("provider:" + provider, values, Map.of());
    }

    @Test
    void threatScore_isTheWeightTimesConfidenceMean_withOneTraceLinePerSource() {
        Signals known = Signals.builder(IP)
                .answer(answer("ipintel", Map.of(Signal.THREAT_SCORE, 80, Signal.CONFIDENCE, 100)))
                .answer(answer("ipbot", Map.of(Signal.THREAT_SCORE, 20, Signal.CONFIDENCE, 50))).build();
        Signals fused = fusion.fuse(known);
        // (2×100×80 + 1×50×20) / (2×100 + 1×50) = 17000 / 250 = 68
        assertThat(fused.value(Signal.THREAT_SCORE)).isEqualTo(68);
        assertThat(fused.observation(Signal.THREAT_SCORE).sources()).containsExactly("provider:ipintel", "provider:ipbot");
        // confidence (2×100 + 1×50) / 3 = 83; spread 60 > 20: no agreement bonus
        assertThat(fused.value(Signal.CONFIDENCE)).isEqualTo(83);
        assertThat(fused.contributions()).extracting(Signals.ScoreContribution::points).containsExactly(64, 4);
        Signals scored = Scoring.defaults().score(fused);
        assertThat(scored.threatScore()).isEqualTo(68);
        assertThat(scored.value(Signal.CONFIDENCE)).isEqualTo(83);
    }

    @Test
    void booleans_areAWeightedVote_ofTheSourcesThatSpoke() {
        Signals known = Signals.builder(IP)
                .answer(answer("ipintel", Map.of(Signal.VPN, false, Signal.HOSTING, true)))
                .answer(answer("ipbot", Map.of(Signal.VPN, true)))
                .answer(answer("iptrust", Map.of(Signal.VPN, true, Signal.HOSTING, false))).build();
        Signals fused = fusion.fuse(known);
        assertThat(fused.isTrue(Signal.VPN)).isTrue(); // 2 (yes) ≥ 2 (no)
        assertThat(fused.observation(Signal.VPN).sources()).containsExactly("provider:ipbot", "provider:iptrust");
        assertThat(fused.isTrue(Signal.HOSTING)).isTrue(); // 2 (yes) ≥ 1 (no)
    }

    @Test
    void embeddedValues_arekept_andAgreeingProvidersJoinTheirSources() {
        Signals known = Signals.builder(IP).put(Signal.ASN, 8075, "embedded:asn").put(Signal.TOR, true, "embedded:tor")
                .answer(answer("ipintel", Map.of(Signal.ASN, 8075, Signal.TOR, false, Signal.COUNTRY, "IN")))
                .answer(answer("ipbot", Map.of(Signal.ASN, 15169, Signal.COUNTRY, "US"))).build();
        Signals fused = fusion.fuse(known);
        assertThat(fused.value(Signal.ASN)).isEqualTo(8075);
        assertThat(fused.observation(Signal.ASN).sources()).containsExactly("embedded:asn", "provider:ipintel");
        assertThat(fused.isTrue(Signal.TOR)).isTrue();
        assertThat(fused.value(Signal.COUNTRY)).isEqualTo("IN"); // the heavier provider
    }

    @Test
    void agreement_addsTenToConfidence() {
        Signals known = Signals.builder(IP)
                .answer(answer("ipintel", Map.of(Signal.THREAT_SCORE, 30, Signal.CONFIDENCE, 60)))
                .answer(answer("ipbot", Map.of(Signal.THREAT_SCORE, 40, Signal.CONFIDENCE, 60))).build();
        assertThat(fusion.fuse(known).value(Signal.CONFIDENCE)).isEqualTo(70);
    }

    @Test
    void providerVerification_fillsOnlyAnUndecidedVerification() {
        Map<Signal, Object> verified = Map.of(Signal.BOT_VERIFIED, "verified", Signal.BOT_NAME, "ChatGPT-User");
        Signals unknown = Signals.builder(IP).put(Signal.BOT_VERIFIED, "unknown", "rdns").answer(answer("ipintel", verified)).build();
        Signals fused = fusion.fuse(unknown);
        assertThat(fused.value(Signal.BOT_VERIFIED)).isEqualTo("verified");
        assertThat(fused.value(Signal.BOT_VERIFIED_BY)).isEqualTo("provider");
        Signals ours = Signals.builder(IP).put(Signal.BOT_VERIFIED, "verified", "rdns").put(Signal.BOT_VERIFIED_BY, "rdns", "rdns")
                .answer(answer("ipintel", verified)).build();
        assertThat(fusion.fuse(ours).value(Signal.BOT_VERIFIED_BY)).isEqualTo("rdns");
    }
}
