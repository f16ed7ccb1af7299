package dev.gatehouse.spring.actuate;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Policy;
import dev.gatehouse.engine.provider.Providers;
import dev.gatehouse.ratelimit.RateLimitStore;
import dev.gatehouse.spring.GatehouseAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/**
 * Gatehouse in Actuator, when Actuator is on the class path and Gatehouse is configured: the
 * {@code gatehouse} health contributor ({@code management.health.gatehouse.enabled}) and the
 * {@code gatehouse} endpoint (Actuator's usual access and exposure rules: not exposed over HTTP unless
 * {@code management.endpoints.web.exposure.include} names it). The meters need nothing here: Gatehouse
 * records into the application's {@code MeterRegistry} ({@link GatehouseAutoConfiguration}).
 */
@AutoConfiguration(after = GatehouseAutoConfiguration.class)
@ConditionalOnClass(Gatehouse.class)
@ConditionalOnBean(Gatehouse.class)
public class GatehouseActuatorAutoConfiguration {

    /** The {@code gatehouse} health contributor. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {
        @Bean
        @ConditionalOnEnabledHealthIndicator("gatehouse")
        @ConditionalOnMissingBean(name = "gatehouseHealthIndicator")
        GatehouseHealthIndicator gatehouseHealthIndicator(Gatehouse gatehouse, ObjectProvider<Policy> policy,
                                                          ObjectProvider<RateLimitStore> store, ObjectProvider<Providers> providers) {
            return new GatehouseHealthIndicator(gatehouse, policy.getIfUnique(), store.getIfUnique(), providers.getIfUnique(),
                    Clock.systemUTC());
        }
    }

    /** The {@code gatehouse} endpoint. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Endpoint.class)
    static class Endpoints {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        GatehouseEndpoint gatehouseEndpoint(Gatehouse gatehouse) {
            return new GatehouseEndpoint(gatehouse, Clock.systemUTC());
        }
    }
}
