package dev.gatehouse.spring;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.StandardEngine;
import dev.gatehouse.engine.provider.Providers;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.SharedCache;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.policy.PolicyException;
import dev.gatehouse.ratelimit.RateLimitStore;
import dev.gatehouse.servlet.FilterOptions;
import dev.gatehouse.servlet.GatehouseFilter;
import dev.gatehouse.settings.GatehouseAssembly;
import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.settings.SettingsReader;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.autoconfigure.condition.AllNestedConditions;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Puts Gatehouse in front of a web application: reads the core {@link GatehouseSettings} from
 * {@code gatehouse.*} (the same keys as {@code gatehouse.yaml}), builds each piece with the core
 * {@link GatehouseAssembly} (the one the servlet filter and the proxy use), then, for the stack the
 * application runs on, registers the one front end that fits: a {@link GatehouseFilter} for a servlet
 * application (Spring MVC), a {@link GatehouseWebFilter} for a reactive one (WebFlux), a
 * {@link GatehouseGlobalFilter} instead in a Spring Cloud Gateway; the {@link Decision}
 * controller parameter is {@link GatehouseDecisionParameterAutoConfiguration}'s. Every bean steps aside for one of the same type that the
 * application defines, so any piece can be replaced; {@code gatehouse.enabled=false} turns the whole
 * thing off.
 *
 * <p>The configuration only translates; every check and every decision is the core's.
 */
@AutoConfiguration
@ConditionalOnWebApplication
@ConditionalOnClass(Gatehouse.class)
@ConditionalOnProperty(prefix = GatehouseProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(GatehouseProperties.class)
public class GatehouseAutoConfiguration {

    /** The bean name of the filter registration; define a bean with this name to register the filter yourself. */
    public static final String FILTER_REGISTRATION_BEAN = "gatehouseFilterRegistration";

    /** The servlet filter name the registration uses. */
    public static final String FILTER_NAME = "gatehouseFilter";

    private static final Logger log = LoggerFactory.getLogger(GatehouseAutoConfiguration.class);

    /** The core settings from {@code gatehouse.*}, checked by the core binder; a bad value stops start-up naming the property. */
    @Bean
    @ConditionalOnMissingBean
    public GatehouseSettings gatehouseSettings(Environment environment) {
        return SpringSettingsSource.bind(environment, warning -> log.warn("{}", warning));
    }

    /**
     * The remote providers of {@code gatehouse.providers} ({@link Providers#none()} when none is enabled),
     * as the engine asks them; a bean so that the health contributor reports their circuit breakers.
     */
    @Bean
    @ConditionalOnMissingBean
    public Providers gatehouseProviders(GatehouseSettings settings, ObjectProvider<MeterRegistry> meterRegistry) {
        return StandardEngine.providers(List.copyOf(settings.providers().values()), settings.budget(), registry(meterRegistry));
    }

    /**
     * The embedded offline engine on the configured data, then crawler verification, then header
     * consistency, then the {@link Providers} bean's remote providers, and scoring. Spring closes it.
     */
    @Bean
    @ConditionalOnMissingBean
    public IntelligenceEngine gatehouseEngine(GatehouseSettings settings, ObjectProvider<MeterRegistry> meterRegistry,
                                              ObjectProvider<SharedCache> sharedCache, ObjectProvider<Providers> providers) {
        MeterRegistry registry = registry(meterRegistry);
        return StandardEngine.create(GatehouseAssembly.embedded(settings.data(), registry), settings.budget(),
                settings.dnsServers().stream().map(HostPort::toSocketAddress).toList(), registry,
                sharedCache.getIfUnique(SharedCache::none), providers.getIfUnique(Providers::none));
    }

    /** {@code gatehouse.shared-cache: redis}: crawler verifications shared by the fleet through Redis. Spring closes it. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "gatehouse", name = "shared-cache", havingValue = "redis")
    public SharedCache gatehouseSharedCache(GatehouseSettings settings, ObjectProvider<MeterRegistry> meterRegistry) {
        return GatehouseAssembly.sharedCache(settings, registry(meterRegistry));
    }

    /** {@code gatehouse.rate-limit.store: redis}: buckets shared by the fleet (falls back as configured). Spring closes it. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "gatehouse.rate-limit", name = "store", havingValue = "redis")
    public RateLimitStore gatehouseRateLimitStore(GatehouseSettings settings, ObjectProvider<MeterRegistry> meterRegistry) {
        return GatehouseAssembly.rateLimitStore(settings, registry(meterRegistry));
    }

    /**
     * The policy at {@code gatehouse.policy} (the bundled default policy when unset), on the application's
     * {@link RateLimitStore} bean when there is one. A file is watched and hot-reloaded when
     * {@code gatehouse.policy-reload} is on; Spring closes the watcher.
     */
    @Bean
    @ConditionalOnMissingBean
    public Policy gatehousePolicy(GatehouseSettings settings, ResourceLoader resourceLoader, ObjectProvider<RateLimitStore> store,
                                  ObjectProvider<MeterRegistry> meterRegistry) {
        ClassLoader classLoader = resourceLoader.getClassLoader() != null ? resourceLoader.getClassLoader()
                : GatehouseAutoConfiguration.class.getClassLoader();
        String location = settings.policy() == null ? GatehouseProperties.DEFAULT_POLICY : settings.policy();
        try {
            return GatehouseAssembly.policy(settings,
                    GatehouseAssembly.policyLoader(settings, registry(meterRegistry), store.getIfUnique()), classLoader);
        } catch (PolicyException e) {
            throw SpringSettingsSource.invalid("policy", location, "the policy does not load:\n" + e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw SpringSettingsSource.invalid("policy", location, e.getMessage());
        }
    }

    /** Who the client is: trusted proxies and the forwarding header they write. */
    @Bean
    @ConditionalOnMissingBean
    public ClientIpResolver gatehouseClientIpResolver(GatehouseSettings settings) {
        return GatehouseAssembly.clientIpResolver(settings);
    }

    /**
     * The decision pipeline, recording its meters in the application's {@link MeterRegistry} when
     * there is one. It does not own the engine or policy beans (Spring closes those), so it is not
     * closed itself.
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public Gatehouse gatehouse(IntelligenceEngine engine, Policy policy, GatehouseSettings settings,
                               ObjectProvider<MeterRegistry> meterRegistry, ObjectProvider<Providers> providers) {
        // the providers' reporter (ipinsights reports, opt-in) listens to the decisions
        Gatehouse gatehouse = GatehouseAssembly.gatehouse(settings, engine, policy, registry(meterRegistry),
                providers.getIfUnique(Providers::none));
        log.info("Gatehouse ready: engine {}, policy {} ({}), budget {}, fail-{}", engine.name(), policy.name(),
                policy.version(), SettingsReader.format(gatehouse.budget()), settings.failMode().key());
        return gatehouse;
    }

    /** How the filter enforces decisions (explain header, upstream headers). */
    @Bean
    @ConditionalOnMissingBean
    public FilterOptions gatehouseFilterOptions(GatehouseSettings settings) {
        return FilterOptions.from(settings);
    }

    private static MeterRegistry registry(ObjectProvider<MeterRegistry> meterRegistry) {
        MeterRegistry registry = meterRegistry.getIfUnique();
        return registry != null ? registry : Metrics.globalRegistry;
    }

    /** The servlet filter. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({Filter.class, GatehouseFilter.class})
    static class ServletConfiguration {

        /**
         * The filter, mapped to {@code gatehouse.url-patterns} at {@code gatehouse.filter-order} for
         * {@code REQUEST} dispatches, async-supported (it never starts async processing itself).
         */
        @Bean(FILTER_REGISTRATION_BEAN)
        @ConditionalOnMissingBean(name = FILTER_REGISTRATION_BEAN)
        public FilterRegistrationBean<GatehouseFilter> gatehouseFilterRegistration(Gatehouse gatehouse, ClientIpResolver resolver,
                                                                                    FilterOptions options, GatehouseProperties properties) {
            FilterRegistrationBean<GatehouseFilter> registration = new FilterRegistrationBean<>(new GatehouseFilter(gatehouse, resolver, options));
            registration.setName(FILTER_NAME);
            registration.setUrlPatterns(Settings.urlPatterns(properties));
            registration.setOrder(properties.getFilterOrder());
            registration.setDispatcherTypes(DispatcherType.REQUEST);
            registration.setAsyncSupported(true);
            return registration;
        }
    }

    /**
     * The {@link GatehouseWebFilter} for WebFlux applications, unless Spring Cloud Gateway (reactive) is
     * there and enabled: then the {@link GatewayConfiguration}'s global filter decides instead, so that no
     * request is decided twice.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass({WebFilter.class, Mono.class})
    @Conditional(NotOnGatewayCondition.class)
    static class ReactiveConfiguration {

        /** The WebFilter at {@code gatehouse.filter-order}, for every request the application handles. */
        @Bean
        @ConditionalOnMissingBean
        GatehouseWebFilter gatehouseWebFilter(Gatehouse gatehouse, ClientIpResolver resolver, FilterOptions options,
                                              GatehouseProperties properties) {
            return new GatehouseWebFilter(gatehouse, resolver, options, properties.getFilterOrder());
        }
    }

    /**
     * The {@link GatehouseGlobalFilter} in a Spring Cloud Gateway (reactive server) application, instead of
     * the WebFilter: every routed request is decided before the route's filters. It steps aside for a
     * {@link GatehouseWebFilter} (or a global filter) the application defines, which then decides alone.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass({WebFilter.class, Mono.class})
    @Conditional(OnGatewayCondition.class)
    static class GatewayConfiguration {

        @Bean
        @ConditionalOnMissingBean({GatehouseGlobalFilter.class, GatehouseWebFilter.class})
        GatehouseGlobalFilter gatehouseGlobalFilter(Gatehouse gatehouse, ClientIpResolver resolver, FilterOptions options) {
            return new GatehouseGlobalFilter(gatehouse, resolver, options);
        }
    }

    /**
     * Spring Cloud Gateway's reactive server is on the class path ({@value #GLOBAL_FILTER}) and not turned
     * off ({@value #GATEWAY_ENABLED}, on unless {@code false}, as the gateway itself reads it).
     */
    static class OnGatewayCondition extends AllNestedConditions {
        static final String GLOBAL_FILTER = "org.springframework.cloud.gateway.filter.GlobalFilter";
        static final String GATEWAY_ENABLED = "spring.cloud.gateway.server.webflux.enabled";

        OnGatewayCondition() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @ConditionalOnClass(name = GLOBAL_FILTER)
        static class GatewayOnClassPath {
        }

        @ConditionalOnProperty(name = GATEWAY_ENABLED, havingValue = "true", matchIfMissing = true)
        static class GatewayEnabled {
        }
    }

    /** The opposite of {@link OnGatewayCondition}. */
    static class NotOnGatewayCondition extends NoneNestedConditions {
        NotOnGatewayCondition() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @Conditional(OnGatewayCondition.class)
        static class OnGateway {
        }
    }
}
