package dev.gatehouse.spring;

import dev.gatehouse.api.Decision;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Gives a Spring MVC controller method the request's {@link Decision}: a parameter of type
 * {@code Decision}, or {@code Optional<Decision>} where Gatehouse may not have decided (a URL outside
 * {@code gatehouse.url-patterns}). It reads the request attribute {@value Decision#REQUEST_ATTRIBUTE}
 * that the filter sets, so it costs nothing on requests whose controller does not ask.
 *
 * <pre>{@code
 * @GetMapping("/hello")
 * String hello(Decision decision) {
 *     return decision.signals().isTrue(Signal.HOSTING) ? "hello, datacenter" : "hello";
 * }
 * }</pre>
 */
final class DecisionArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return DecisionParameters.supports(parameter);
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer, NativeWebRequest webRequest,
                                  WebDataBinderFactory binderFactory) {
        Object decision = webRequest.getAttribute(Decision.REQUEST_ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        return DecisionParameters.value(parameter, decision instanceof Decision d ? d : null);
    }
}
