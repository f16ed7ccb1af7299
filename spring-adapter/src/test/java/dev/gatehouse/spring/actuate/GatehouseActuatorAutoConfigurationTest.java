package dev.gatehouse.spring.actuate;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.ReloadablePolicy;
import dev.gatehouse.ratelimit.LocalRateLimitStore;
import dev.gatehouse.ratelimit.RateLimit;
import dev.gatehouse.ratelimit.RateLimitResult;
import dev.gatehouse.ratelimit.RateLimitStore;
import dev.gatehouse.ratelimit.StoreStatus;
import dev.gatehouse.spring.GatehouseAutoConfiguration;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

class GatehouseActuatorAutoConfigurationTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseActuatorAutoConfiguration.class))
            .withUserConfiguration(Doubles.class);

    @Configuration(proxyBeanMethods = false)
    static class Doubles {
        @Bean
        FakeEngine fakeEngine() {
            return new FakeEngine();
        }

        @Bean
        Policy testPolicy() {
            return TestPolicy.torBlocking();
        }
    }

    @Test
    void actuatorOnClassPath_registersHealthContributor_endpointOnlyWhenExposed() {
        runner.run(context -> assertThat(context).hasNotFailed()
                .hasSingleBean(GatehouseHealthIndicator.class)
                .hasBean("gatehouseHealthIndicator")
                .doesNotHaveBean(GatehouseEndpoint.class));
    }

    @Test
    void endpointExposedOverWeb_isRegistered() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=gatehouse")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GatehouseEndpoint.class));
    }

    @Test
    void endpointExposedOverJmx_isRegistered() {
        runner.withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=gatehouse")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GatehouseEndpoint.class));
    }

    @Test
    void healthIndicatorDisabled_isNotRegistered() {
        runner.withPropertyValues("management.health.gatehouse.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GatehouseHealthIndicator.class));
    }

    @Test
    void gatehouseDisabled_noActuatorBeans() {
        runner.withPropertyValues("gatehouse.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GatehouseHealthIndicator.class)
                        .doesNotHaveBean(GatehouseEndpoint.class));
    }

    @Test
    void actuatorNotOnClassPath_noActuatorBeans() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Gatehouse.class)
                        .doesNotHaveBean(GatehouseHealthIndicator.class).doesNotHaveBean(GatehouseEndpoint.class));
    }

    @Test
    void userHealthIndicator_replacesOurs() {
        runner.withBean("gatehouseHealthIndicator", GatehouseHealthIndicator.class,
                        () -> new GatehouseHealthIndicator(Gatehouse.builder().engine(new FakeEngine()).policy(TestPolicy.torBlocking()).build(),
                                null, null, new MutableClock(Instant.EPOCH)))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GatehouseHealthIndicator.class));
    }

    /** Stale data, a refused policy edit and a Redis store on its fallback are reported, and the application stays UP. */
    @Test
    @SuppressWarnings("unchecked")
    void health_staleDataRejectedReloadAndDegradedStore_staysUpAndSaysSo(@TempDir Path dir) throws Exception {
        Instant now = Instant.parse("2026-11-30T12:00:00Z");
        IntelligenceEngine engine = new IntelligenceEngine() {
            @Override
            public CompletionStage<Signals> lookup(RequestFacts facts) {
                return CompletableFuture.completedFuture(Signals.of(facts.clientIp()));
            }

            @Override
            public String name() {
                return "embedded";
            }

            @Override
            public List<Signals.SourceStatus> sources() {
                return List.of(new Signals.SourceStatus("tor", now.minusSeconds(3_600), null),
                        new Signals.SourceStatus("aws", now.minusSeconds(40 * 86_400), "stale: data is 40 days old (warn after 30 days)"));
            }
        };
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "default: allow\nrules:\n  - name: block-tor\n    when: {tor: true}\n    action: block\n");
        try (ReloadablePolicy policy = ReloadablePolicy.manual(file, PolicyLoader.defaults())) {
            String good = policy.version();
            Files.writeString(file, "default: allow\nrules:\n  - name: block-tor\n    when: {tro: true}\n    action: block\n");
            assertThat(policy.reload().applied()).isFalse();

            Gatehouse gatehouse = Gatehouse.builder().engine(engine).policy((Policy) policy).build();
            RateLimitStore local = LocalRateLimitStore.builder().build();
            RateLimitStore redisDown = new RateLimitStore() {
                @Override
                public RateLimitResult tryConsume(RateLimit limit, String key) {
                    return local.tryConsume(limit, key);
                }

                @Override
                public RateLimitResult peek(RateLimit limit, String key) {
                    return local.peek(limit, key);
                }

                @Override
                public long size() {
                    return local.size();
                }

                @Override
                public StoreStatus status() {
                    return new StoreStatus("redis", true, "redis://127.0.0.1:6379 unreachable; fallback local");
                }
            };
            Health health = new GatehouseHealthIndicator(gatehouse, policy, redisDown, new MutableClock(now)).health();

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            Map<String, Object> data = (Map<String, Object>) health.getDetails().get("data");
            assertThat(data).containsEntry("sets", 2).containsEntry("loaded", 2).containsEntry("oldest", "aws")
                    .containsEntry("oldest-age", "PT960H").containsEntry("stale", List.of("aws"));
            assertThat((Map<String, String>) data.get("problems")).containsKey("aws").doesNotContainKey("tor");
            Map<String, Object> policyDetails = (Map<String, Object>) health.getDetails().get("policy");
            assertThat(policyDetails).containsEntry("version", good).containsEntry("reloadable", true);
            Map<String, Object> failure = (Map<String, Object>) policyDetails.get("last-reload-failure");
            assertThat(failure).containsEntry("kept", good).containsKey("message");
            assertThat(health.getDetails()).containsEntry("engine", "embedded").containsEntry("fail-mode", "open");
            assertThat((Map<String, Object>) health.getDetails().get("rate-limit-store")).containsEntry("store", "redis")
                    .containsEntry("degraded", true);
            assertThat((List<String>) health.getDetails().get("warnings")).containsExactly(
                    "rate-limit store redis degraded: redis://127.0.0.1:6379 unreachable; fallback local",
                    "aws: stale: data is 40 days old (warn after 30 days)");
        }
    }
}
