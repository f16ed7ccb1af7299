package dev.gatehouse.spring;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.ForwardedHeaders;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.servlet.FilterOptions;
import dev.gatehouse.servlet.GatehouseFilter;
import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.server.WebFilter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class GatehouseAutoConfigurationTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseDecisionParameterAutoConfiguration.class));

    /** A plain WebFlux application: Spring Cloud Gateway, on the test class path, is hidden (see GatewayAutoConfigurationTest). */
    private final ReactiveWebApplicationContextRunner reactiveRunner = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseDecisionParameterAutoConfiguration.class))
            .withClassLoader(new FilteredClassLoader("org.springframework.cloud.gateway"));

    /** Engine and policy doubles, so these tests never depend on the embedded data or the YAML loader. */
    @Configuration(proxyBeanMethods = false)
    static class Doubles {
        @Bean
        FakeEngine fakeEngine() {
            return new FakeEngine().tor("192.0.2.66");
        }

        @Bean
        Policy testPolicy() {
            return TestPolicy.torBlocking();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class EngineOnly {
        @Bean
        FakeEngine fakeEngine() {
            return new FakeEngine();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PolicyOnly {
        @Bean
        Policy testPolicy() {
            return TestPolicy.torBlocking();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserPieces {
        static final ClientIpResolver RESOLVER = ClientIpResolver.direct();
        static final FilterOptions OPTIONS = FilterOptions.builder().explainHeader(true).build();

        @Bean
        ClientIpResolver myResolver() {
            return RESOLVER;
        }

        @Bean
        FilterOptions myOptions() {
            return OPTIONS;
        }

        @Bean
        Gatehouse myGatehouse(FakeEngine engine) {
            return Gatehouse.builder().engine(engine).policy(TestPolicy.builder().build()).budget(Duration.ofSeconds(2)).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Metrics {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void autoConfiguration_defaults_wireEveryBeanAroundTheUsersEngineAndPolicy() {
        runner.withUserConfiguration(Doubles.class).run(context -> {
            assertThat(context).hasNotFailed()
                    .hasSingleBean(Gatehouse.class)
                    .hasSingleBean(ClientIpResolver.class)
                    .hasSingleBean(FilterOptions.class)
                    .hasSingleBean(IntelligenceEngine.class)
                    .hasSingleBean(Policy.class)
                    .hasBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN);
            Gatehouse gatehouse = context.getBean(Gatehouse.class);
            assertThat(gatehouse.engine()).isSameAs(context.getBean(FakeEngine.class));
            assertThat(gatehouse.policy()).isSameAs(context.getBean(Policy.class));
            assertThat(gatehouse.budget()).isEqualTo(Duration.ofMillis(50));
            assertThat(gatehouse.failOpen()).isTrue();

            ClientIpResolver resolver = context.getBean(ClientIpResolver.class);
            assertThat(resolver.headers()).isEqualTo(ForwardedHeaders.X_FORWARDED_FOR);
            assertThat(resolver.trustedProxies().isTrusted(IpAddress.parse("127.0.0.1"))).isFalse();
            assertThat(context.getBean(FilterOptions.class).explainHeader()).isFalse();
            assertThat(context.getBean(FilterOptions.class).upstreamHeaders()).isTrue();

            FilterRegistrationBean<?> registration = registration(context);
            assertThat(registration.getFilter()).isInstanceOf(GatehouseFilter.class);
            assertThat(registration.getFilterName()).isEqualTo("gatehouseFilter");
            assertThat(registration.getUrlPatterns()).containsExactly("/*");
            assertThat(registration.getOrder()).isEqualTo(GatehouseProperties.DEFAULT_FILTER_ORDER);
            assertThat(registration.determineDispatcherTypes()).containsExactly(DispatcherType.REQUEST);
            assertThat(registration.isAsyncSupported()).isTrue();
        });
    }

    @Test
    void autoConfiguration_properties_translateIntoCoreObjects() {
        runner.withUserConfiguration(Doubles.class)
                .withPropertyValues(
                        "gatehouse.budget=120ms",
                        "gatehouse.fail-mode=closed",
                        "gatehouse.trusted-proxies=10.0.0.0/8, loopback",
                        "gatehouse.forwarded-headers=forwarded",
                        "gatehouse.explain-header=true",
                        "gatehouse.upstream-headers=false",
                        "gatehouse.url-patterns=/api/*,/login",
                        "gatehouse.filter-order=42")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Gatehouse gatehouse = context.getBean(Gatehouse.class);
                    assertThat(gatehouse.budget()).isEqualTo(Duration.ofMillis(120));
                    assertThat(gatehouse.failOpen()).isFalse();
                    ClientIpResolver resolver = context.getBean(ClientIpResolver.class);
                    assertThat(resolver.headers()).isEqualTo(ForwardedHeaders.FORWARDED);
                    assertThat(resolver.trustedProxies().isTrusted(IpAddress.parse("10.1.2.3"))).isTrue();
                    assertThat(resolver.trustedProxies().isTrusted(IpAddress.parse("::1"))).isTrue();
                    assertThat(resolver.trustedProxies().isTrusted(IpAddress.parse("192.0.2.1"))).isFalse();
                    FilterOptions options = context.getBean(FilterOptions.class);
                    assertThat(options.explainHeader()).isTrue();
                    assertThat(options.upstreamHeaders()).isFalse();
                    FilterRegistrationBean<?> registration = registration(context);
                    assertThat(registration.getUrlPatterns()).containsExactly("/api/*", "/login");
                    assertThat(registration.getOrder()).isEqualTo(42);
                });
    }

    @Test
    void autoConfiguration_userBeans_winOverTheDefaults() {
        runner.withUserConfiguration(Doubles.class, UserPieces.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Gatehouse.class).hasSingleBean(ClientIpResolver.class)
                    .hasSingleBean(FilterOptions.class);
            assertThat(context.getBean(Gatehouse.class).budget()).isEqualTo(Duration.ofSeconds(2));
            assertThat(context.getBean(ClientIpResolver.class)).isSameAs(UserPieces.RESOLVER);
            assertThat(context.getBean(FilterOptions.class)).isSameAs(UserPieces.OPTIONS);
            assertThat(context).hasBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN);
        });
    }

    @Test
    void autoConfiguration_userFilterRegistration_replacesOurs() {
        runner.withUserConfiguration(Doubles.class)
                .withBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN, FilterRegistrationBean.class,
                        () -> new FilterRegistrationBean<>(new GatehouseFilter()))
                .run(context -> assertThat(registration(context).getUrlPatterns()).isEmpty());
    }

    @Test
    void autoConfiguration_enabledFalse_registersNothing() {
        runner.withUserConfiguration(Doubles.class).withPropertyValues("gatehouse.enabled=false").run(context -> {
            assertThat(context).hasNotFailed()
                    .doesNotHaveBean(Gatehouse.class)
                    .doesNotHaveBean(ClientIpResolver.class)
                    .doesNotHaveBean(GatehouseProperties.class)
                    .doesNotHaveBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN);
        });
    }

    @Test
    void autoConfiguration_nonWebApplication_getsNothing() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class))
                .withUserConfiguration(Doubles.class)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Gatehouse.class)
                        .doesNotHaveBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN));
    }

    @Test
    void autoConfiguration_withoutGatehouseOnClassPath_getsNothing() {
        runner.withUserConfiguration(Doubles.class).withClassLoader(new FilteredClassLoader(Gatehouse.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GatehouseSettings.class));
    }

    @Test
    void autoConfiguration_withoutServletApi_registersNoServletFilter() {
        runner.withUserConfiguration(Doubles.class).withClassLoader(new FilteredClassLoader(Filter.class))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Gatehouse.class)
                        .doesNotHaveBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN));
    }

    @Test
    void autoConfiguration_servletApplication_getsTheServletFilterAndMvcParameter_notTheWebFilter() {
        runner.withUserConfiguration(Doubles.class).run(context -> assertThat(context).hasNotFailed()
                .hasBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN)
                .hasSingleBean(GatehouseDecisionParameterAutoConfiguration.MvcDecisionParameter.class)
                .doesNotHaveBean(GatehouseWebFilter.class)
                .doesNotHaveBean(GatehouseDecisionParameterAutoConfiguration.WebFluxDecisionParameter.class));
    }

    @Test
    void autoConfiguration_reactiveApplication_getsTheWebFilterAndWebFluxParameter_notTheServletFilter() {
        reactiveRunner.withUserConfiguration(Doubles.class).run(context -> {
            assertThat(context).hasNotFailed()
                    .hasSingleBean(GatehouseWebFilter.class)
                    .hasSingleBean(GatehouseDecisionParameterAutoConfiguration.WebFluxDecisionParameter.class)
                    .doesNotHaveBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN)
                    .doesNotHaveBean(GatehouseDecisionParameterAutoConfiguration.MvcDecisionParameter.class);
            GatehouseWebFilter filter = context.getBean(GatehouseWebFilter.class);
            assertThat(filter.gatehouse()).isSameAs(context.getBean(Gatehouse.class));
            assertThat(filter.resolver()).isSameAs(context.getBean(ClientIpResolver.class));
            assertThat(filter.getOrder()).isEqualTo(GatehouseProperties.DEFAULT_FILTER_ORDER);
        });
    }

    @Test
    void autoConfiguration_reactiveApplication_filterOrderProperty_ordersTheWebFilter() {
        reactiveRunner.withUserConfiguration(Doubles.class).withPropertyValues("gatehouse.filter-order=-50")
                .run(context -> assertThat(context.getBean(GatehouseWebFilter.class).getOrder()).isEqualTo(-50));
    }

    @Test
    void autoConfiguration_reactiveApplication_userWebFilter_replacesOurs() {
        reactiveRunner.withUserConfiguration(Doubles.class)
                .withBean("myFilter", GatehouseWebFilter.class, () -> new GatehouseWebFilter(
                        Gatehouse.builder().engine(new FakeEngine()).policy(TestPolicy.torBlocking()).build(),
                        ClientIpResolver.direct(), FilterOptions.defaults(), 7))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(GatehouseWebFilter.class);
                    assertThat(context.getBean(GatehouseWebFilter.class).getOrder()).isEqualTo(7);
                });
    }

    @Test
    void autoConfiguration_reactiveApplication_enabledFalse_registersNoFilter_butKeepsTheDecisionParameter() {
        reactiveRunner.withUserConfiguration(Doubles.class).withPropertyValues("gatehouse.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GatehouseWebFilter.class).doesNotHaveBean(Gatehouse.class)
                        .hasSingleBean(GatehouseDecisionParameterAutoConfiguration.WebFluxDecisionParameter.class));
    }

    @Test
    void autoConfiguration_reactiveApplicationWithoutWebFlux_getsNoWebFilter() {
        reactiveRunner.withUserConfiguration(Doubles.class).withClassLoader(new FilteredClassLoader(WebFilter.class))
                .run(context -> assertThat(context).doesNotHaveBean(GatehouseWebFilter.class));
    }

    @Test
    void autoConfiguration_meterRegistryBean_receivesGatehouseMeters() {
        runner.withUserConfiguration(Doubles.class, Metrics.class).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(context.getBean(Gatehouse.class).meterRegistry()).isSameAs(registry);
            assertThat(registry.find("gatehouse.decision.duration").timer()).isNotNull();
            assertThat(registry.find("gatehouse.filter.overruns").counter()).isNotNull();
        });
    }

    @Test
    void trustedProxies_hostName_failsStartupNamingPropertyAndValue() {
        runner.withUserConfiguration(Doubles.class).withPropertyValues("gatehouse.trusted-proxies=10.0.0.0/8,lb.example.com")
                .run(failsWith("gatehouse.trusted-proxies", "10.0.0.0/8,lb.example.com", "trusted proxy #2", "hostnames are not accepted"));
    }

    @Test
    void trustedProxies_hostBitsSet_failsStartup() {
        runner.withUserConfiguration(Doubles.class).withPropertyValues("gatehouse.trusted-proxies=10.0.0.1/8")
                .run(failsWith("gatehouse.trusted-proxies", "10.0.0.1/8", "trusted proxy #1"));
    }

    @Test
    void budget_zero_failsStartupNamingProperty() {
        runner.withUserConfiguration(Doubles.class).withPropertyValues("gatehouse.budget=0ms")
                .run(failsWith("gatehouse.budget", "0ms", "must be within 1ms..60s, was 0ms"));
    }

    @Test
    void dnsServers_hostName_failsStartupBeforeLoadingTheEngine() {
        runner.withUserConfiguration(PolicyOnly.class).withPropertyValues("gatehouse.dns-servers=127.0.0.1:5353,dns.example:53")
                .run(failsWith("gatehouse.dns-servers", "dns.example:53", "must be an IP address or localhost"));
    }

    @Test
    void urlPatterns_starInTheMiddle_failsStartup() {
        runner.withUserConfiguration(Doubles.class).withPropertyValues("gatehouse.url-patterns=/api/*/admin")
                .run(failsWith("gatehouse.url-patterns", "/api/*/admin", "may contain * only as a final /*"));
    }

    @Test
    void policy_missingFile_failsStartupNamingProperty(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        runner.withUserConfiguration(EngineOnly.class).withPropertyValues("gatehouse.policy=" + missing)
                .run(failsWith("gatehouse.policy", missing.toString(), "no such file", "looked for"));
    }

    @Test
    void policy_missingClasspathResource_failsStartupNamingProperty() {
        runner.withUserConfiguration(EngineOnly.class).withPropertyValues("gatehouse.policy=classpath:nowhere/policy.yaml")
                .run(failsWith("gatehouse.policy", "classpath:nowhere/policy.yaml", "no such resource on the class path"));
    }

    @Test
    void policy_defaultMissingFromClassPath_saysWhereTheDefaultComesFrom() {
        runner.withUserConfiguration(EngineOnly.class)
                .withClassLoader(new FilteredClassLoader(new ClassPathResource("dev/gatehouse/policies/default.yaml")))
                .run(failsWith("gatehouse.policy", GatehouseProperties.DEFAULT_POLICY, "gatehouse-policies jar"));
    }

    @Test
    void policy_fileThatDoesNotLoad_failsStartupWithTheLoadersProblems(@TempDir Path dir) throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "rules: [\n");
        runner.withUserConfiguration(EngineOnly.class).withPropertyValues("gatehouse.policy=file:" + broken)
                .run(failsWith("gatehouse.policy", broken.toString(), "the policy does not load", "broken.yaml"));
    }

    @Test
    void oldSpelling_failOpen_stillWorks() {
        runner.withUserConfiguration(Doubles.class).withPropertyValues("gatehouse.fail-open=false")
                .run(context -> assertThat(context.getBean(Gatehouse.class).failOpen()).isFalse());
    }

    @Test
    void unknownKey_failsStartupWithDidYouMean() {
        runner.withUserConfiguration(Doubles.class).withPropertyValues("gatehouse.budgte=20ms")
                .run(failsWith("gatehouse.budgte", "20ms", "unknown key (did you mean 'budget'?)"));
    }

    @Test
    void userSettingsBean_replacesTheBoundOne() {
        runner.withUserConfiguration(Doubles.class)
                .withBean(dev.gatehouse.settings.GatehouseSettings.class,
                        () -> dev.gatehouse.settings.GatehouseSettings.custom().budget(Duration.ofMillis(7)).build())
                .run(context -> assertThat(context.getBean(Gatehouse.class).budget()).isEqualTo(Duration.ofMillis(7)));
    }

    private static FilterRegistrationBean<?> registration(AssertableWebApplicationContext context) {
        return context.getBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN, FilterRegistrationBean.class);
    }

    private static ContextConsumer<AssertableWebApplicationContext> failsWith(String property, String value, String... reasons) {
        return context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("Property " + property + " with value '")
                    .hasMessageContaining(value);
            InvalidConfigurationPropertyValueException cause = (InvalidConfigurationPropertyValueException)
                    NestedExceptionUtils.getRootCause(context.getStartupFailure());
            assertThat(cause.getName()).isEqualTo(property);
            for (String reason : reasons) {
                assertThat(cause.getReason()).contains(reason);
            }
        };
    }
}
