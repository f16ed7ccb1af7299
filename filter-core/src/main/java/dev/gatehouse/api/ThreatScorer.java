package dev.gatehouse.api;

/**
 * Fuses the signals into {@code threat_score} and {@code confidence}, recording each contribution so
 * the decision trace can show why. Applied once, after every source has spoken.
 */
@FunctionalInterface
public interface ThreatScorer {

    Signals score(Signals signals);

    /** Leaves the signals as they are. */
    static ThreatScorer none() {
        return signals -> signals;
    }
}
