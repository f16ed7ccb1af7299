package dev.gatehouse.api;

/**
 * A compiled, immutable policy: ordered rules, first match wins, then the default verdict.
 * Thread-safe; rate-limit state lives in the policy's bucket store, not in the policy itself.
 */
public interface Policy {

    /**
     * Decides for one request. Never throws for a well-formed input; the returned decision carries the
     * trace of rules considered. Timings are left for the caller to fill.
     */
    Decision evaluate(RequestFacts request, Signals signals);

    /**
     * Decides like {@link #evaluate}, but the trace carries, for every rule considered, the condition
     * that decided it with the signal values seen and their sources. Slower (it builds text), and it
     * does not spend rate-limit tokens: use it for {@code explain} and debug output, not for traffic.
     */
    default Decision explain(RequestFacts request, Signals signals) {
        return evaluate(request, signals);
    }

    /** Where the policy came from: a file name, or {@code <inline>}. */
    String name();

    /** A short content hash of the source text, so operators can tell which policy is active. */
    String version();
}
