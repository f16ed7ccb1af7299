package dev.gatehouse.engine.embedded;

import dev.gatehouse.engine.ThreatScorer;

/** The documented scoring table. STUB: owned by the embedded-engine work; replace wholesale (keep {@link #defaults()}). */
public final class Scoring {

    private Scoring() {
    }

    public static ThreatScorer defaults() {
        return ThreatScorer.none();
    }
}
