package dev.gatehouse.testing;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * A {@link Policy} double built from plain predicates, for tests that need a policy before (or
 * without) the YAML loader: ordered rules, first match wins, then allow as {@code default/allow}.
 *
 * <pre>{@code
 * Policy policy = TestPolicy.builder()
 *         .block("block-tor", (request, signals) -> signals.isTrue(Signal.TOR))
 *         .rateLimit("slow-down", (request, signals) -> request.path().contains("/limited"), 30)
 *         .build();
 * }</pre>
 */
public final class TestPolicy implements Policy {

    private record Rule(String name, BiPredicate<RequestFacts, Signals> when, Verdict verdict, Decision.Response response, boolean shadow) {}

    private final List<Rule> rules;

    private TestPolicy(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Blocks Tor exits ({@code rule/block-tor}), rate-limits paths containing {@code /limited} ({@code rule/slow-down}), allows the rest. */
    public static TestPolicy torBlocking() {
        return builder()
                .block("block-tor", (request, signals) -> signals.isTrue(Signal.TOR))
                .rateLimit("slow-down", (request, signals) -> request.path().contains("/limited"), 30)
                .build();
    }

    /** A policy whose evaluation always throws {@code error}. */
    public static Policy throwing(RuntimeException error) {
        return new Policy() {
            @Override
            public Decision evaluate(RequestFacts request, Signals signals) {
                throw error;
            }

            @Override
            public String name() {
                return "<throwing>";
            }

            @Override
            public String version() {
                return "0";
            }
        };
    }

    @Override
    public Decision evaluate(RequestFacts request, Signals signals) {
        List<Decision.TraceStep> trace = new ArrayList<>();
        for (Rule rule : rules) {
            boolean matched = rule.when().test(request, signals);
            trace.add(new Decision.TraceStep(rule.name(), matched, matched ? "matched" : "did not match"));
            if (matched && rule.shadow()) {
                return new Decision(Verdict.ALLOW, "rule/" + rule.name(), Decision.Response.PASS, rule.verdict(), signals, trace,
                        Decision.Timings.NONE);
            }
            if (matched) {
                return new Decision(rule.verdict(), "rule/" + rule.name(), rule.response(), null, signals, trace, Decision.Timings.NONE);
            }
        }
        return new Decision(Verdict.ALLOW, "default/allow", Decision.Response.PASS, null, signals, trace, Decision.Timings.NONE);
    }

    @Override
    public String name() {
        return "<test>";
    }

    @Override
    public String version() {
        return "test";
    }

    /** Collects rules in order. */
    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();

        public Builder block(String name, BiPredicate<RequestFacts, Signals> when) {
            rules.add(new Rule(name, when, Verdict.BLOCK, new Decision.Response(403, Map.of(), "Forbidden"), false));
            return this;
        }

        /** Rate-limits with a 429, {@code Retry-After: retryAfterSeconds} and the RateLimit headers. */
        public Builder rateLimit(String name, BiPredicate<RequestFacts, Signals> when, int retryAfterSeconds) {
            Map<String, String> headers = Map.of(
                    "Retry-After", String.valueOf(retryAfterSeconds),
                    "RateLimit-Policy", "\"" + name + "\";q=10;w=60",
                    "RateLimit", "\"" + name + "\";r=0;t=" + retryAfterSeconds);
            rules.add(new Rule(name, when, Verdict.RATE_LIMIT, new Decision.Response(429, headers, "Too many requests"), false));
            return this;
        }

        /** A rule in shadow mode: records that it would block, then allows. */
        public Builder shadowBlock(String name, BiPredicate<RequestFacts, Signals> when) {
            rules.add(new Rule(name, when, Verdict.BLOCK, new Decision.Response(403, Map.of(), "Forbidden"), true));
            return this;
        }

        public TestPolicy build() {
            return new TestPolicy(rules);
        }
    }
}
