package dev.gatehouse.spring;

import dev.gatehouse.api.Decision;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.util.List;

/**
 * The {@link Decision} controller method parameter, on Spring MVC and on WebFlux. Registered even with
 * {@code gatehouse.enabled=false}, so that controllers taking an {@code Optional<Decision>} keep working
 * (with an empty one) when Gatehouse is switched off, and a plain {@code Decision} parameter fails with
 * a message that says why rather than as an unknown parameter type.
 */
@AutoConfiguration
@ConditionalOnClass(Decision.class)
public class GatehouseDecisionParameterAutoConfiguration {

    /** {@code Decision} (or {@code Optional<Decision>}) as a Spring MVC controller method parameter. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(WebMvcConfigurer.class)
    static class MvcDecisionParameter implements WebMvcConfigurer {
        @Override
        public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
            resolvers.add(new DecisionArgumentResolver());
        }
    }

    /** {@code Decision} (or {@code Optional<Decision>}) as a WebFlux controller method parameter. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(WebFluxConfigurer.class)
    static class WebFluxDecisionParameter implements WebFluxConfigurer {
        @Override
        public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
            configurer.addCustomResolver(new ReactiveDecisionArgumentResolver());
        }
    }
}
