package dev.gatehouse;

import dev.gatehouse.engine.Signals;

import java.time.Instant;

/**
 * The JSON forms of signals and decisions shared by {@code lookup}, {@code explain}, the admin API and
 * the filter's debug header. STUB: owned by the proxy/CLI work; replace wholesale (keep the signatures).
 */
public final class DecisionJson {

    private DecisionJson() {
    }

    /** One object keyed by the signal names of the design contract, plus {@code sources} with data ages. */
    public static String signals(Signals signals, Instant now) {
        return "{}";
    }

    /** {@code verdict}, {@code rule}, {@code signals} (as {@link #signals}), {@code trace}, {@code timings}. */
    public static String decision(Decision decision, Instant now) {
        return "{}";
    }
}
