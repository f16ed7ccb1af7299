package dev.gatehouse.engine.embedded;

import dev.gatehouse.api.BotVerification;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.ThreatScorer;

import java.util.ArrayList;
import java.util.List;

/**
 * The scoring table of {@code docs/scoring.md}: turns signals from any source (embedded data, crawler
 * verification, providers) into {@code threat_score} 0–100 and {@code confidence} 0–100. Points add up
 * and are clamped; every line that applied is recorded as a {@link Signals.ScoreContribution}, so the
 * decision trace shows why. A provider's own {@code threat_score} is taken into account: the fused
 * score is never below it.
 *
 * <pre>{@code
 * IntelligenceEngine engine = Engines.layered(EmbeddedEngine.loadDefault(), Scoring.defaults(), enrichers);
 * ThreatScorer publicEdge = Scoring.builder().publicListener(true).build();   // bogon clients are suspicious
 * }</pre>
 */
public final class Scoring implements ThreatScorer {

    /** The source name of the fused score in signals and traces. */
    public static final String SOURCE = "scoring";

    static final int ATTACKER = 70;
    static final int SPOOFED_CRAWLER = 70;
    static final int OPEN_PROXY = 50;
    static final int TOR = 45;
    static final int BOGON_PUBLIC = 40;
    static final int OTHER_PROXY = 25;
    static final int VPN = 20;
    static final int HOSTING = 15;
    static final int UNVERIFIED_BOT_CLAIM = 10;
    static final int UA_INCONSISTENT = 10;
    static final int CORPORATE_PROXY = 5;
    static final int RELAY = 5;
    static final int VERIFIED_CRAWLER = -40;

    private final boolean publicListener;

    private Scoring(boolean publicListener) {
        this.publicListener = publicListener;
    }

    /** The documented table, assuming a listener that may see private clients (bogon adds nothing). */
    public static ThreatScorer defaults() {
        return new Scoring(false);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Signals score(Signals signals) {
        Signals.Builder b = signals.toBuilder();
        List<Signals.ScoreContribution> lines = new ArrayList<>(4);
        if (signals.isTrue(Signal.ATTACKER)) {
            add(lines, "on a blocklist of known attackers", ATTACKER, signals, Signal.ATTACKER);
        }
        BotVerification verified = signals.botVerification();
        if (verified == BotVerification.SPOOFED) {
            add(lines, "claims to be a crawler but failed verification", SPOOFED_CRAWLER, signals, Signal.BOT_VERIFIED);
        }
        if (signals.isTrue(Signal.PROXY)) {
            String type = signals.string(Signal.PROXY_TYPE);
            if ("open".equals(type)) {
                add(lines, "open proxy", OPEN_PROXY, signals, Signal.PROXY);
            } else if ("corporate".equals(type)) {
                add(lines, "corporate proxy (people behind a company gateway)", CORPORATE_PROXY, signals, Signal.PROXY);
            } else {
                add(lines, "proxy" + (type == null ? "" : " (" + type + ")"), OTHER_PROXY, signals, Signal.PROXY);
            }
        }
        if (signals.isTrue(Signal.TOR)) {
            add(lines, "Tor exit", TOR, signals, Signal.TOR);
        }
        if (signals.isTrue(Signal.BOGON) && publicListener) {
            add(lines, "special-use address on a public listener", BOGON_PUBLIC, signals, Signal.BOGON);
        }
        if (signals.isTrue(Signal.VPN)) {
            add(lines, "commercial VPN", VPN, signals, Signal.VPN);
        }
        if (signals.isTrue(Signal.HOSTING) && verified != BotVerification.VERIFIED) {
            add(lines, "hosting / datacenter network", HOSTING, signals, Signal.HOSTING);
        }
        if (signals.isTrue(Signal.RELAY)) {
            add(lines, "privacy relay (real people)", RELAY, signals, Signal.RELAY);
        }
        if (signals.isTrue(Signal.UA_CLAIMS_BOT) && (verified == BotVerification.UNKNOWN || verified == BotVerification.NONE)) {
            add(lines, "User-Agent claims a crawler, not verified", UNVERIFIED_BOT_CLAIM, signals, Signal.UA_CLAIMS_BOT);
        }
        if (signals.isTrue(Signal.UA_INCONSISTENT)) {
            add(lines, "headers contradict the browser the User-Agent names", UA_INCONSISTENT, signals, Signal.UA_INCONSISTENT);
        }
        if (verified == BotVerification.VERIFIED) {
            add(lines, "verified crawler", VERIFIED_CRAWLER, signals, Signal.BOT_VERIFIED);
        }

        int table = 0;
        for (Signals.ScoreContribution c : lines) {
            table += c.points();
        }
        table = clamp(table);
        Signals.Observation given = signals.observation(Signal.THREAT_SCORE);
        boolean providerScore = given != null && !given.sources().contains(SOURCE);
        if (providerScore && given.value() instanceof Integer p && p > table) {
            lines.add(new Signals.ScoreContribution("score given by " + String.join(", ", given.sources()), p - table,
                    String.join(",", given.sources())));
            table = clamp(p);
        }
        lines.forEach(b::contribution);
        b.remove(Signal.THREAT_SCORE).put(Signal.THREAT_SCORE, table, SOURCE);
        int confidence = confidence(signals, lines, providerScore);
        Signals.Observation givenConfidence = signals.observation(Signal.CONFIDENCE);
        if (givenConfidence != null && !givenConfidence.sources().contains(SOURCE) && givenConfidence.value() instanceof Integer c) {
            confidence = Math.max(confidence, Math.min(100, c)); // the providers' fused confidence (docs/scoring.md)
        }
        b.remove(Signal.CONFIDENCE).put(Signal.CONFIDENCE, confidence, SOURCE);
        return b.build();
    }

    /**
     * How much the score can be trusted: strong, specific evidence (a blocklist, a verification
     * outcome, Tor) is near-certain; list membership of networks less so; absence of evidence in offline
     * data says little, a little more when the network (ASN) is at least known.
     */
    static int confidence(Signals s, List<Signals.ScoreContribution> lines, boolean providerScore) {
        BotVerification verified = s.botVerification();
        if (s.isTrue(Signal.ATTACKER) || verified == BotVerification.SPOOFED || verified == BotVerification.VERIFIED) {
            return 90;
        }
        if (s.isTrue(Signal.TOR)) {
            return 85;
        }
        int c = lines.isEmpty() ? (s.value(Signal.ASN) != null ? 50 : 30) : 50 + 10 * Math.min(lines.size(), 3);
        return Math.min(100, providerScore ? c + 15 : c);
    }

    private static void add(List<Signals.ScoreContribution> lines, String reason, int points, Signals s, Signal signal) {
        Signals.Observation o = s.observation(signal);
        lines.add(new Signals.ScoreContribution(reason, points, o == null ? signal.id() : String.join(",", o.sources())));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(100, v));
    }

    /** Options for the table. */
    public static final class Builder {
        private boolean publicListener;

        private Builder() {
        }

        /**
         * Whether the listener faces the internet, so that a special-use (bogon) client address is
         * suspicious (+{@value Scoring#BOGON_PUBLIC}): a spoofed forwarding header or a misrouted packet.
         * Default false: on an intranet every client is a private address.
         */
        public Builder publicListener(boolean value) {
            this.publicListener = value;
            return this;
        }

        public ThreatScorer build() {
            return new Scoring(publicListener);
        }
    }
}
