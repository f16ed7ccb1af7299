package dev.gatehouse.spring;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.StandardEngine;
import dev.gatehouse.engine.IntelligenceEngine;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.policy.Policy;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.ReloadablePolicy;
import dev.gatehouse.servlet.FilterOptions;
import dev.gatehouse.servlet.GatehouseFilter;
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
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

import java.util.List;
import java.util.function.Supplier;

/**
 * Puts Gatehouse in front of a servlet web application: builds the engine, policy, client address
 * resolver and {@link Gatehouse} from {@link GatehouseProperties} and registers a
 * {@link GatehouseFilter}. Every bean steps aside for one of the same type that the application
 * defines, so any piece can be replaced; {@code gatehouse.enabled=false} turns the whole thing off.
 *
 * <p>The configuration only translates settings; every decision is the core's.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, GatehouseFilter.class})
@ConditionalOnProperty(prefix = GatehouseProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(GatehouseProperties.class)
public class GatehouseAutoConfiguration {

    /** The bean name of the filter registration; define a bean with this name to register the filter yourself. */
    public static final String FILTER_REGISTRATION_BEAN = "gatehouseFilterRegistration";

    /** The servlet filter name the registration uses. */
    public static final String FILTER_NAME = "gatehouseFilter";

    private static final Logger log = LoggerFactory.getLogger(GatehouseAutoConfiguration.class);

    /** The embedded offline engine, then crawler verification, then scoring. Spring closes it. */
    @Bean
    @ConditionalOnMissingBean
    public IntelligenceEngine gatehouseEngine(GatehouseProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
        MeterRegistry registry = meterRegistry.getIfUnique();
        return StandardEngine.create(Settings.budget(properties), Settings.dnsServers(properties),
                registry != null ? registry : Metrics.globalRegistry);
    }

    /**
     * The policy at {@code gatehouse.policy} (the bundled default policy when unset). A file is watched
     * and hot-reloaded; Spring closes the watcher.
     */
    @Bean
    @ConditionalOnMissingBean
    public Policy gatehousePolicy(GatehouseProperties properties, ResourceLoader resourceLoader) {
        ClassLoader classLoader = resourceLoader.getClassLoader() != null ? resourceLoader.getClassLoader()
                : GatehouseAutoConfiguration.class.getClassLoader();
        return Settings.policy(properties, PolicyLoader.defaults(), classLoader);
    }

    /** Who the client is: trusted proxies and the forwarding header they write. */
    @Bean
    @ConditionalOnMissingBean
    public ClientIpResolver gatehouseClientIpResolver(GatehouseProperties properties) {
        return Settings.clientIpResolver(properties);
    }

    /**
     * The decision pipeline, recording its meters in the application's {@link MeterRegistry} when
     * there is one. It does not own the engine or policy beans (Spring closes those), so it is not
     * closed itself.
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public Gatehouse gatehouse(IntelligenceEngine engine, Policy policy, GatehouseProperties properties,
                               ObjectProvider<MeterRegistry> meterRegistry) {
        Gatehouse.Builder builder = Settings.decisionSettings(Gatehouse.builder().engine(engine), properties);
        if (policy instanceof ReloadablePolicy reloadable) {
            builder.policy((Supplier<Policy>) reloadable); // each request reads the policy in force
        } else {
            builder.policy(policy);
        }
        MeterRegistry registry = meterRegistry.getIfUnique();
        if (registry != null) {
            builder.meterRegistry(registry);
        }
        Gatehouse gatehouse = builder.build();
        log.info("Gatehouse ready: engine {}, policy {} ({}), budget {} ms, fail-{}", engine.name(), policy.name(),
                policy.version(), gatehouse.budget().toMillis(), gatehouse.failOpen() ? "open" : "closed");
        return gatehouse;
    }

    /** How the filter enforces decisions (explain header, upstream headers). */
    @Bean
    @ConditionalOnMissingBean
    public FilterOptions gatehouseFilterOptions(GatehouseProperties properties) {
        return Settings.filterOptions(properties);
    }

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
