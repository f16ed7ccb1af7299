package dev.gatehouse.engine.provider;

import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.ThreatScorer;

/**
 * The rule of {@code when: inconclusive} (docs/scoring.md, "When providers are asked"): the signals
 * known before the providers leave the policy undecided when they hold no decisive evidence — not a
 * bogon, not Tor, not a listed attacker, no crawler verification outcome ({@code verified} or
 * {@code spoofed}), not an open proxy — and the scoring table on them stays below
 * {@value #DECIDED_SCORE}. Anything else the embedded data already decides, and a paid lookup would
 * not change the verdict.
 */
public final class Escalation {

    /** A provisional {@code threat_score} from this value up counts as decided. */
    public static final int DECIDED_SCORE = 50;

    private Escalation() {
    }

    /** Whether {@code known} leaves the decision open, scoring it with {@code scorer}. */
    public static boolean inconclusive(Signals known, ThreatScorer scorer) {
        if (known.isTrue(Signal.BOGON) || known.isTrue(Signal.TOR) || known.isTrue(Signal.ATTACKER)) {
            return false;
        }
        String verified = known.string(Signal.BOT_VERIFIED);
        if ("verified".equals(verified) || "spoofed".equals(verified)) {
            return false;
        }
        if (known.isTrue(Signal.PROXY) && "open".equals(known.string(Signal.PROXY_TYPE))) {
            return false;
        }
        return scorer.score(known).threatScore() < DECIDED_SCORE;
    }
}
