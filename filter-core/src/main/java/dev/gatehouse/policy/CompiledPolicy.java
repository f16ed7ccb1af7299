package dev.gatehouse.policy;

import dev.gatehouse.Decision;
import dev.gatehouse.RequestFacts;
import dev.gatehouse.Verdict;
import dev.gatehouse.engine.Signals;
import dev.gatehouse.ratelimit.RateLimitResult;
import dev.gatehouse.ratelimit.RateLimitStore;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The immutable result of compiling a policy. Evaluation walks the rules in order and stops at the
 * first whose condition holds. On the fast path ({@link #evaluate}) the trace is a list prepared at
 * compile time and a block's response is prepared too, so a decision costs the tests and one object;
 * {@link #explain} recomputes the trace with every value and source.
 */
final class CompiledPolicy implements Policy {

    private final String name;
    private final String version;
    private final boolean shadowMode;
    private final Rule[] rules;
    private final Rule defaultRule;
    private final RateLimitStore store;
    private final MeterRegistry registry;

    CompiledPolicy(String name, String version, boolean shadowMode, List<Rule> rules, Rule defaultRule,
                   RateLimitStore store, MeterRegistry registry) {
        this.name = name;
        this.version = version;
        this.shadowMode = shadowMode;
        this.rules = rules.toArray(new Rule[0]);
        this.defaultRule = defaultRule;
        this.store = store;
        this.registry = registry;
        List<Decision.TraceStep> steps = new ArrayList<>();
        for (Rule rule : this.rules) {
            rule.fastTrace = List.copyOf(append(steps, new Decision.TraceStep(rule.name, true, rule.condition.text())));
            steps.add(new Decision.TraceStep(rule.name, false, "not matched: " + rule.condition.text()));
        }
        defaultRule.fastTrace = List.copyOf(append(steps, new Decision.TraceStep(defaultRule.id, true, "no rule matched")));
    }

    private static List<Decision.TraceStep> append(List<Decision.TraceStep> steps, Decision.TraceStep last) {
        List<Decision.TraceStep> copy = new ArrayList<>(steps);
        copy.add(last);
        return copy;
    }

    @Override
    public Decision evaluate(RequestFacts request, Signals signals) {
        for (Rule rule : rules) {
            if (rule.condition.test(request, signals)) {
                return decide(rule, request, signals, null);
            }
        }
        return decide(defaultRule, request, signals, null);
    }

    @Override
    public Decision explain(RequestFacts request, Signals signals) {
        List<Decision.TraceStep> trace = new ArrayList<>();
        for (Rule rule : rules) {
            boolean matched = rule.condition.test(request, signals);
            String detail = rule.condition.explain(request, signals);
            if (matched) {
                return decide(rule, request, signals, new Explained(trace, rule.name, detail));
            }
            trace.add(new Decision.TraceStep(rule.name, false, detail));
        }
        return decide(defaultRule, request, signals, new Explained(trace, defaultRule.id, "no rule matched"));
    }

    /** The trace under construction when explaining; {@code null} on the fast path. */
    private record Explained(List<Decision.TraceStep> steps, String rule, String detail) {
        List<Decision.TraceStep> finish(String more) {
            steps.add(new Decision.TraceStep(rule, true, more == null ? detail : detail + "; " + more));
            return steps;
        }
    }

    private Decision decide(Rule rule, RequestFacts request, Signals signals, Explained explained) {
        Verdict verdict = rule.verdict;
        Decision.Response response;
        String note = null;
        switch (verdict) {
            case ALLOW -> response = Decision.Response.PASS;
            case BLOCK -> response = rule.fixedResponse != null ? rule.fixedResponse
                    : new Decision.Response(rule.refusalStatus(Verdict.BLOCK), rule.headers, rule.message.render(signals));
            default -> {
                String key = rule.limit.keyOf(request, signals);
                // explaining must not spend the client's quota
                RateLimitResult result = explained == null ? store.tryConsume(rule.limit.limit(), key) : store.peek(rule.limit.limit(), key);
                if (result.allowed()) {
                    verdict = Verdict.ALLOW;
                    response = new Decision.Response(0, result.headers(), "");
                } else {
                    verdict = rule.limit.onExceed();
                    Map<String, String> headers = new LinkedHashMap<>(rule.headers);
                    headers.putAll(result.headers());
                    response = new Decision.Response(rule.refusalStatus(verdict), headers, rule.message.render(signals));
                }
                if (explained != null) {
                    note = "limit " + rule.limit.limit().name() + " [" + key + "]: " + (result.allowed()
                            ? result.remaining() + " of " + rule.limit.limit().capacity() + " left"
                            : "exceeded, retry after " + result.retryAfterSeconds() + " s");
                }
            }
        }
        boolean shadow = shadowMode || rule.shadow;
        if (shadow && verdict != Verdict.ALLOW) {
            registry.counter("gatehouse.policy.shadowed", "rule", rule.id, "verdict", verdict.id()).increment();
            List<Decision.TraceStep> trace = explained == null ? rule.fastTrace
                    : explained.finish(join(note, "shadow: would have answered " + verdict.id() + ", allowed instead"));
            return new Decision(Verdict.ALLOW, rule.id, Decision.Response.PASS, verdict, signals, trace, Decision.Timings.NONE);
        }
        List<Decision.TraceStep> trace = explained == null ? rule.fastTrace : explained.finish(note);
        return new Decision(verdict, rule.id, response, null, signals, trace, Decision.Timings.NONE);
    }

    private static String join(String a, String b) {
        return a == null ? b : a + "; " + b;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String toString() {
        return "Policy[" + name + " " + version + ", " + rules.length + " rules" + (shadowMode ? ", shadow" : "") + "]";
    }
}
