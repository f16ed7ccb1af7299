package dev.gatehouse.spring;

import dev.gatehouse.api.Decision;
import org.springframework.core.MethodParameter;

import java.util.Optional;

/** The rule both controller-parameter resolvers follow: which parameters are a decision, and what a missing one means. */
final class DecisionParameters {

    private DecisionParameters() {
    }

    static boolean supports(MethodParameter parameter) {
        return parameter.nestedIfOptional().getNestedParameterType() == Decision.class;
    }

    /**
     * The argument for {@code parameter}: the decision, wrapped when the parameter is an {@code Optional}.
     * A plain {@code Decision} parameter without a decision is a set-up error (the filter is not mapped
     * to this URL, or another filter answered first), not the client's: it fails loudly rather than
     * handing the controller a {@code null} to trip over.
     */
    static Object value(MethodParameter parameter, Decision decision) {
        if (parameter.getParameterType() == Optional.class) {
            return Optional.ofNullable(decision);
        }
        if (decision == null && !parameter.isOptional()) {
            throw new IllegalStateException("no Gatehouse decision for this request, so parameter '" + parameter.getParameterName()
                    + "' of " + parameter.getExecutable().toGenericString() + " cannot be given one: the Gatehouse filter is not"
                    + " mapped to this path (gatehouse.url-patterns) or does not run before it; declare the parameter as"
                    + " Optional<Decision> where a request may have none");
        }
        return decision;
    }
}
