package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.ThreatScorer;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The table of docs/scoring.md, on signals from any source. */
class ScoringTest {

    private static final ThreatScorer SCORING = Scoring.defaults();

    private static Signals.Builder signals() {
        return Signals.builder(IpAddress.parse("203.0.113.9"));
    }

    @Test
    void score_noEvidence_zeroWithLowConfidence() {
        Signals s = SCORING.score(signals().build());
        assertThat(s.threatScore()).isZero();
        assertThat(s.integer(Signal.CONFIDENCE, -1)).isEqualTo(30);
        assertThat(s.contributions()).isEmpty();
        assertThat(s.observation(Signal.THREAT_SCORE).sources()).containsExactly("scoring");
    }

    @Test
    void score_torOnHosting_addsAndRecordsEachLine() {
        Signals s = SCORING.score(signals().put(Signal.TOR, true, "embedded:tor").put(Signal.HOSTING, true, "embedded:hetzner").build());
        assertThat(s.threatScore()).isEqualTo(Scoring.TOR + Scoring.HOSTING);
        assertThat(s.contributions()).extracting(Signals.ScoreContribution::reason, Signals.ScoreContribution::points,
                        Signals.ScoreContribution::source)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Tor exit", 45, "embedded:tor"),
                        org.assertj.core.groups.Tuple.tuple("hosting / datacenter network", 15, "embedded:hetzner"));
        assertThat(s.integer(Signal.CONFIDENCE, -1)).isEqualTo(85);
    }

    @Test
    void score_uaInconsistent_lightLine() {
        Signals s = SCORING.score(signals().put(Signal.UA_INCONSISTENT, true, "headers").build());
        assertThat(s.threatScore()).isEqualTo(Scoring.UA_INCONSISTENT).isLessThan(Scoring.HOSTING);
        assertThat(s.contributions()).extracting(Signals.ScoreContribution::source).containsExactly("headers");
    }

    @Test
    void score_attackerTorVpn_clampedAt100() {
        Signals s = SCORING.score(signals().put(Signal.ATTACKER, true, "embedded:spamhaus-drop").put(Signal.TOR, true, "embedded:tor")
                .put(Signal.VPN, true, "embedded:x4bnet-vpn").build());
        assertThat(s.threatScore()).isEqualTo(100);
        assertThat(s.integer(Signal.CONFIDENCE, -1)).isEqualTo(90);
    }

    @Test
    void score_verifiedCrawlerOnHosting_zero() {
        Signals s = SCORING.score(signals().put(Signal.HOSTING, true, "embedded:google").put(Signal.KNOWN_BOT, true, "embedded:crawlers")
                .put(Signal.BOT_VERIFIED, "verified", "embedded:crawlers").build());
        assertThat(s.threatScore()).isZero();
        assertThat(s.contributions()).extracting(Signals.ScoreContribution::points).containsExactly(Scoring.VERIFIED_CRAWLER);
    }

    @Test
    void score_spoofedCrawler_raisesStrongly() {
        Signals s = SCORING.score(signals().put(Signal.UA_CLAIMS_BOT, true, "ua").put(Signal.BOT_VERIFIED, "spoofed", "rdns")
                .put(Signal.HOSTING, true, "embedded:ovh").build());
        assertThat(s.threatScore()).isEqualTo(Scoring.SPOOFED_CRAWLER + Scoring.HOSTING);
        assertThat(s.integer(Signal.CONFIDENCE, -1)).isEqualTo(90);
    }

    @Test
    void score_relay_raisesLittle() {
        Signals s = SCORING.score(signals().put(Signal.RELAY, true, "embedded:icloud-relay").build());
        assertThat(s.threatScore()).isEqualTo(Scoring.RELAY).isLessThan(10);
    }

    @Test
    void score_openProxyVersusCorporateProxy() {
        assertThat(SCORING.score(signals().put(Signal.PROXY, true, "provider:x").put(Signal.PROXY_TYPE, "open", "provider:x").build())
                .threatScore()).isEqualTo(Scoring.OPEN_PROXY);
        assertThat(SCORING.score(signals().put(Signal.PROXY, true, "embedded:zscaler").put(Signal.PROXY_TYPE, "corporate", "embedded:zscaler")
                .build()).threatScore()).isEqualTo(Scoring.CORPORATE_PROXY);
    }

    @Test
    void score_bogon_onlyOnPublicListener() {
        Signals bogon = signals().put(Signal.BOGON, true, "embedded:bogons").build();
        assertThat(SCORING.score(bogon).threatScore()).isZero();
        assertThat(Scoring.builder().publicListener(true).build().score(bogon).threatScore()).isEqualTo(Scoring.BOGON_PUBLIC);
    }

    @Test
    void score_providerScoreHigherThanTable_keptAsFloorAndTraced() {
        Signals s = SCORING.score(signals().put(Signal.THREAT_SCORE, 80, "provider:iptrust").put(Signal.VPN, true, "provider:iptrust").build());
        assertThat(s.threatScore()).isEqualTo(80);
        assertThat(s.contributions()).extracting(Signals.ScoreContribution::points).containsExactly(Scoring.VPN, 80 - Scoring.VPN);
        assertThat(s.observation(Signal.THREAT_SCORE).sources()).containsExactly("scoring");
    }

    @Test
    void score_appliedTwice_sameResult() {
        Signals once = SCORING.score(signals().put(Signal.TOR, true, "embedded:tor").build());
        Signals twice = SCORING.score(once);
        assertThat(twice.threatScore()).isEqualTo(once.threatScore());
    }
}
