package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.ratelimit.RateLimitResult;
import dev.gatehouse.ratelimit.RateLimitStore;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
    private final List<Path> includes;
    private final Decision.TraceStep[] notMatched; // step i: rule i was tried and did not match

    /** Rules before this position keep their fast-path trace ready-made. */
    static final int PREPARED_TRACES = 128;

    CompiledPolicy(String name, String version, boolean shadowMode, List<Rule> rules, Rule defaultRule,
                   RateLimitStore store, MeterRegistry registry, List<Path> includes) {
        this.name = name;
        this.version = version;
        this.shadowMode = shadowMode;
        this.rules = rules.toArray(new Rule[0]);
        this.defaultRule = defaultRule;
        this.store = store;
        this.registry = registry;
        this.includes = List.copyOf(includes);
        // Each step is made once and shared. Rule i's trace is steps 0..i-1 plus its own match, so preparing
        // every rule's list would cost the square of the rule count (12,000 rules: 72 million steps);
        // only the first PREPARED_TRACES rules and the default get a prepared list, the others assemble
        // theirs per decision, in time of the same order as the condition tests that reached them.
        this.notMatched = new Decision.TraceStep[this.rules.length];
        for (int i = 0; i < this.rules.length; i++) {
            Rule rule = this.rules[i];
            rule.position = i;
            rule.matchedStep = new Decision.TraceStep(rule.name, true, rule.condition.text());
            if (i < PREPARED_TRACES) {
                rule.fastTrace = trace(i, rule.matchedStep);
            }
            notMatched[i] = new Decision.TraceStep(rule.name, false, "not matched: " + rule.condition.text());
        }
        defaultRule.position = this.rules.length;
        defaultRule.matchedStep = new Decision.TraceStep(defaultRule.id, true, "no rule matched");
        defaultRule.fastTrace = trace(this.rules.length, defaultRule.matchedStep);
    }

    /** The steps of the rules before {@code position}, none matched, then {@code last}. */
    private List<Decision.TraceStep> trace(int position, Decision.TraceStep last) {
        Decision.TraceStep[] steps = Arrays.copyOf(notMatched, position + 1);
        steps[position] = last;
        return List.of(steps);
    }

    private List<Decision.TraceStep> fastTrace(Rule rule) {
        return rule.fastTrace != null ? rule.fastTrace : trace(rule.position, rule.matchedStep);
    }

    /** The files besides the policy whose content it depends on (CIDR lists), for a watcher. */
    List<Path> includes() {
        return includes;
    }

    int ruleCount() {
        return rules.length;
    }

    /** How many trace steps the compiled policy keeps (tests check it grows linearly with the rules). */
    long preparedTraceSteps() {
        long steps = notMatched.length + defaultRule.fastTrace.size();
        for (Rule rule : rules) {
            steps += rule.fastTrace == null ? 1 : rule.fastTrace.size();
        }
        return steps;
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
            case CHALLENGE -> {
                // status, headers and message are what a client that cannot take the challenge gets (an API client, a loop)
                response = new Decision.Response(rule.refusalStatus(Verdict.CHALLENGE), rule.headers, rule.message.render(signals),
                        rule.challenge);
                if (explained != null) {
                    note = "challenge at " + (rule.challenge.difficulty() == 0 ? "the configured difficulty"
                            : "difficulty " + rule.challenge.difficulty()) + ", fallback " + rule.challenge.fallback().id()
                            + "; served to GET/HEAD of HTML, not to verified crawlers, exempt paths or a client holding a valid pass";
                }
            }
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
            List<Decision.TraceStep> trace = explained == null ? fastTrace(rule)
                    : explained.finish(join(note, "shadow: would have answered " + verdict.id() + ", allowed instead"));
            return new Decision(Verdict.ALLOW, rule.id, Decision.Response.PASS, verdict, signals, trace, Decision.Timings.NONE);
        }
        List<Decision.TraceStep> trace = explained == null ? fastTrace(rule) : explained.finish(note);
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
