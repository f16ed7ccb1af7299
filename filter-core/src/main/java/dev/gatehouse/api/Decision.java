package dev.gatehouse.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome for one request: the verdict to enforce, the rule that chose it, the signals it was
 * based on, the trace of rules considered and how long each stage took.
 *
 * @param verdict     what adapters enforce
 * @param rule        namespaced reason: {@code rule/<name>}, {@code default/<verdict>}, or {@code error/<why>}
 * @param response    status, headers and message for a refusal; {@link Response#PASS} for allow
 * @param shadowed    in shadow mode, the verdict that would have been enforced; otherwise {@code null}
 * @param signals     what the engine knew
 * @param trace       each rule considered, in order, and why it matched or not
 * @param timings     where the time went
 */
public record Decision(Verdict verdict, String rule, Response response, Verdict shadowed,
                       Signals signals, List<TraceStep> trace, Timings timings) {

    /** The request attribute under which adapters expose the decision. */
    public static final String REQUEST_ATTRIBUTE = "dev.gatehouse.Decision";

    public Decision {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(signals, "signals");
        trace = List.copyOf(trace);
        Objects.requireNonNull(timings, "timings");
    }

    /** The rule name without its namespace ({@code block-tor} for {@code rule/block-tor}). */
    public String ruleName() {
        int slash = rule.indexOf('/');
        return slash < 0 ? rule : rule.substring(slash + 1);
    }

    public Decision withTimings(Timings timings) {
        return new Decision(verdict, rule, response, shadowed, signals, trace, timings);
    }

    /**
     * What the adapter answers for a refusal.
     *
     * @param status  HTTP status (403, 429, …); 0 for a pass
     * @param headers extra response headers ({@code Retry-After}, {@code RateLimit}, …)
     * @param message   a short human message for the body
     * @param challenge for a {@code challenge} verdict, how hard and what to do when the client cannot solve it; otherwise {@code null}
     */
    public record Response(int status, Map<String, String> headers, String message, Challenge challenge) {
        public static final Response PASS = new Response(0, Map.of(), "");

        public Response {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(message, "message");
        }

        /** A response that is not a challenge. */
        public Response(int status, Map<String, String> headers, String message) {
            this(status, headers, message, null);
        }
    }

    /**
     * What a {@code challenge} rule asks for.
     *
     * @param difficulty leading zero bits the proof of work needs; 0 = the configured default ({@code challenge.difficulty})
     * @param fallback   the verdict for a client that keeps failing ({@code block} or {@code rate_limit});
     *                   {@link Response#status()} is its status
     */
    public record Challenge(int difficulty, Verdict fallback) {
        public Challenge {
            if (difficulty < 0 || difficulty > 32) {
                throw new IllegalArgumentException("difficulty is 1..32 leading zero bits (0 = the configured default), was " + difficulty);
            }
            if (fallback != Verdict.BLOCK && fallback != Verdict.RATE_LIMIT) {
                throw new IllegalArgumentException("a challenge falls back to block or rate_limit, not " + fallback);
            }
        }
    }

    /**
     * One rule considered during evaluation.
     *
     * @param rule    the rule's name
     * @param matched whether its condition held
     * @param detail  the condition that decided it, e.g. {@code tor == true (was true, embedded:tor)}
     */
    public record TraceStep(String rule, boolean matched, String detail) {}

    /**
     * Where the time went, in nanoseconds.
     *
     * @param engineNanos     waiting for signals
     * @param policyNanos     evaluating the policy
     * @param totalNanos      from start to decision
     * @param budgetExceeded  the engine did not answer within the budget and the decision used what was known
     */
    public record Timings(long engineNanos, long policyNanos, long totalNanos, boolean budgetExceeded) {
        public static final Timings NONE = new Timings(0, 0, 0, false);
    }
}
