package dev.gatehouse.spring;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.servlet.FilterOptions;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which reactive filter decides: the {@link GatehouseGlobalFilter} when Spring Cloud Gateway (reactive) is
 * on the class path and enabled, the {@link GatehouseWebFilter} otherwise, never both.
 */
class GatewayAutoConfigurationTest {

    private final ReactiveWebApplicationContextRunner gateway = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseDecisionParameterAutoConfiguration.class))
            .withUserConfiguration(GatehouseAutoConfigurationTest.Doubles.class);

    @Test
    void gatewayApplication_getsTheGlobalFilterOnly() {
        gateway.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(GatehouseGlobalFilter.class).doesNotHaveBean(GatehouseWebFilter.class)
                    .doesNotHaveBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN);
            GatehouseGlobalFilter filter = context.getBean(GatehouseGlobalFilter.class);
            assertThat(filter.gatehouse()).isSameAs(context.getBean(Gatehouse.class));
            assertThat(filter.getOrder()).isEqualTo(GatehouseGlobalFilter.DEFAULT_ORDER);
        });
    }

    @Test
    void gatewayDisabled_getsTheWebFilterInstead() {
        gateway.withPropertyValues("spring.cloud.gateway.server.webflux.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GatehouseWebFilter.class)
                        .doesNotHaveBean(GatehouseGlobalFilter.class));
    }

    @Test
    void gatewayNotOnClassPath_getsTheWebFilter() {
        gateway.withClassLoader(new FilteredClassLoader("org.springframework.cloud.gateway"))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GatehouseWebFilter.class)
                        .doesNotHaveBean(GatehouseGlobalFilter.class));
    }

    @Test
    void userGlobalFilter_replacesOurs() {
        gateway.withBean("myGlobalFilter", GatehouseGlobalFilter.class, () -> new GatehouseGlobalFilter(
                        new ReactiveGatehouse(Gatehouse.builder().engine(new FakeEngine()).policy(TestPolicy.torBlocking()).build(),
                                ClientIpResolver.direct(), FilterOptions.defaults()), 5))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(GatehouseGlobalFilter.class).doesNotHaveBean(GatehouseWebFilter.class);
                    assertThat(context.getBean(GatehouseGlobalFilter.class).getOrder()).isEqualTo(5);
                });
    }

    /** A WebFilter of the application's own in a gateway decides every request (routed or not) alone: no global filter. */
    @Test
    void userWebFilter_inGateway_decidesAlone() {
        gateway.withBean("myWebFilter", GatehouseWebFilter.class, () -> new GatehouseWebFilter(
                        Gatehouse.builder().engine(new FakeEngine()).policy(TestPolicy.torBlocking()).build(),
                        ClientIpResolver.direct(), FilterOptions.defaults(), 3))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GatehouseWebFilter.class)
                        .doesNotHaveBean(GatehouseGlobalFilter.class));
    }

    @Test
    void gatewayEnabledFalse_forGatehouse_registersNothing() {
        gateway.withPropertyValues("gatehouse.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GatehouseGlobalFilter.class)
                        .doesNotHaveBean(GatehouseWebFilter.class));
    }

    /** A servlet application with the gateway's reactive jar on the class path still gets the servlet filter only. */
    @Test
    void servletApplication_withGatewayOnClassPath_getsTheServletFilterOnly() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class))
                .withUserConfiguration(GatehouseAutoConfigurationTest.Doubles.class)
                .run(context -> assertThat(context).hasNotFailed().hasBean(GatehouseAutoConfiguration.FILTER_REGISTRATION_BEAN)
                        .doesNotHaveBean(GatehouseGlobalFilter.class).doesNotHaveBean(GatehouseWebFilter.class));
    }
}
