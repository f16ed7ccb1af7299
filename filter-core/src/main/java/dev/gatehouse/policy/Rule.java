package dev.gatehouse.policy;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Verdict;

import java.util.List;
import java.util.Map;

/**
 * One compiled rule (or the default, with an always-true condition): what to test and what to do.
 * Everything that does not depend on the request is computed here once, so evaluation only tests.
 */
final class Rule {

    final String name;
    final String id;                 // rule/<name> or default/<verdict>
    final String description;
    final Condition condition;
    final Verdict verdict;
    final LimitSpec limit;           // for rate_limit, else null
    final Decision.Challenge challenge; // for challenge, else null
    final boolean shadow;
    final int status;                // 0 = the verdict's default
    final MessageTemplate message;
    final Map<String, String> headers;
    final Decision.Response fixedResponse; // a block whose message does not vary per request
    final int line;
    // set once by CompiledPolicy before the policy is published
    int position;                          // index among the rules; the rule count for the default
    Decision.TraceStep matchedStep;        // this rule's step when it matches, without values
    List<Decision.TraceStep> fastTrace;    // the steps up to and including this rule, or null: built per decision

    Rule(String name, String id, String description, Condition condition, Verdict verdict, LimitSpec limit, boolean shadow,
         int status, MessageTemplate message, Map<String, String> headers, int line, Decision.Challenge challenge) {
        this.name = name;
        this.id = id;
        this.description = description;
        this.condition = condition;
        this.verdict = verdict;
        this.limit = limit;
        this.shadow = shadow;
        this.status = status;
        this.message = message;
        this.headers = Map.copyOf(headers);
        this.line = line;
        this.challenge = challenge;
        this.fixedResponse = verdict == Verdict.BLOCK && message.isFixed()
                ? new Decision.Response(refusalStatus(Verdict.BLOCK), this.headers, message.render(null))
                : null;
    }

    int refusalStatus(Verdict v) {
        Verdict shown = v == Verdict.CHALLENGE ? challenge.fallback() : v;
        return status != 0 ? status : shown == Verdict.RATE_LIMIT ? 429 : 403;
    }

    static String defaultMessage(Verdict verdict) {
        return switch (verdict) {
            case RATE_LIMIT -> "Too many requests (rule {rule}); please retry later";
            case CHALLENGE -> "A browser check is required (rule {rule}); open this address in a web browser with JavaScript enabled";
            default -> "Request blocked by rule {rule}";
        };
    }
}
