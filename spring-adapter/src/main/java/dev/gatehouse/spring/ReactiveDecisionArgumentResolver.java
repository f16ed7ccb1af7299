package dev.gatehouse.spring;

import dev.gatehouse.api.Decision;
import org.springframework.core.MethodParameter;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.SyncHandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;

/**
 * Gives a WebFlux controller method the exchange's {@link Decision} (a parameter of type
 * {@code Decision} or {@code Optional<Decision>}), read from the exchange attribute
 * {@value Decision#REQUEST_ATTRIBUTE} that {@link GatehouseWebFilter} sets. Synchronous: the decision is
 * already made when the controller runs.
 */
final class ReactiveDecisionArgumentResolver implements SyncHandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return DecisionParameters.supports(parameter);
    }

    @Override
    public Object resolveArgumentValue(MethodParameter parameter, BindingContext bindingContext, ServerWebExchange exchange) {
        return DecisionParameters.value(parameter, exchange.getAttribute(Decision.REQUEST_ATTRIBUTE));
    }
}
