package dev.gatehouse.spring;

import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.settings.SettingsBinder;
import dev.gatehouse.settings.SettingsSources;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10's promise: a block copied from a {@code gatehouse.yaml} and pasted under {@code gatehouse:} in
 * a Spring application's YAML means the same thing. The proxy reads {@code gatehouse.yaml} through
 * {@link SettingsSources#yaml} and {@link SettingsBinder}; the starter reads Spring's environment.
 */
class SameSettingsTest {

    /** Every core key, with the values an operator would write (absolute paths: relative ones differ by design). */
    static final String BLOCK = """
            policy: /etc/gatehouse/policy.yaml
            policy-reload: false
            budget: 80ms
            fail-mode: closed
            trusted-proxies: [loopback, private, 10.0.0.0/8, 192.0.2.7]
            forwarded-headers: both
            dns-servers: [127.0.0.1:5353, 9.9.9.9]
            data:
              directory: /var/lib/gatehouse
              refresh: 6h
              urls:
                tor: https://example.org/tor.txt
                crawlers/google/common-crawlers.json: https://example.org/google.json
            rate-limit:
              store: redis
              max-keys: 5000
              redis:
                url: redis://127.0.0.1:6379
                password-env: GATEHOUSE_REDIS_PASSWORD
                timeout: 20ms
            providers:
              iptrust:
                enabled: false
                api-key-env: IPTRUST_API_KEY
                timeout: 40ms
                quota-per-day: 500
                weight: 1.0
              ipintel:
                enabled: false
                when: background
              ipbot:
                timeout: 30ms
            decision-log:
              to: stderr
              sample-allows: 0.5
              max-files: 3
            explain-header: true
            upstream-headers: false
            """;

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class))
            .withUserConfiguration(GatehouseAutoConfigurationTest.Doubles.class)
            // the block names a Redis store: a local one stands in, as an application's own store bean would
            .withBean(dev.gatehouse.ratelimit.RateLimitStore.class, () -> dev.gatehouse.ratelimit.LocalRateLimitStore.builder().build());

    @Test
    void sameBlock_inGatehouseYamlAndUnderGatehouseInApplicationYml_givesEqualSettings() {
        GatehouseSettings proxy = SettingsBinder.bind(SettingsSources.yaml(BLOCK, "gatehouse.yaml", null), List.of(), w -> { });
        String applicationYml = "server:\n  port: 0\ngatehouse:\n" + BLOCK.indent(2);

        runner.withInitializer(context -> {
            for (PropertySource<?> source : yaml(applicationYml)) {
                context.getEnvironment().getPropertySources().addFirst(source);
            }
        }).run(context -> {
            assertThat(context).hasNotFailed();
            GatehouseSettings spring = context.getBean(GatehouseSettings.class);
            assertThat(spring).isEqualTo(proxy);
            assertThat(spring.data().urls()).containsKey("crawlers/google/common-crawlers.json");
            assertThat(spring.providers()).containsOnlyKeys("iptrust", "ipintel", "ipbot");
        });
    }

    @Test
    void badValueInApplicationYml_isReportedWithItsOrigin() {
        runner.withInitializer(context -> {
            for (PropertySource<?> source : yaml("gatehouse:\n  budget: soon\n")) {
                context.getEnvironment().getPropertySources().addFirst(source);
            }
        }).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("gatehouse.budget")
                    .hasMessageContaining("expected a duration such as 50ms").hasMessageContaining("application.yml");
        });
    }

    @Test
    void propertiesFormat_commaListsAndBracketKeys_meanTheSame() {
        GatehouseSettings proxy = SettingsBinder.bind(SettingsSources.yaml("""
                trusted-proxies: [loopback, 10.0.0.0/8]
                data:
                  urls:
                    crawlers/google/common-crawlers.json: https://example.org/google.json
                """, "gatehouse.yaml", null), List.of(), w -> { });
        runner.withPropertyValues("gatehouse.trusted-proxies=loopback,10.0.0.0/8",
                        "gatehouse.data.urls[crawlers/google/common-crawlers.json]=https://example.org/google.json")
                .run(context -> assertThat(context.getBean(GatehouseSettings.class)).isEqualTo(proxy));
    }

    @Test
    void environmentVariables_singleValuedKeys_spelledTheSpringWay() {
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new org.springframework.core.env.SystemEnvironmentPropertySource("systemEnvironment",
                        java.util.Map.of("GATEHOUSE_FAILMODE", "closed", "GATEHOUSE_BUDGET", "80ms", "GATEHOUSE_DATA_REFRESH", "6h"))))
                .run(context -> {
                    GatehouseSettings s = context.getBean(GatehouseSettings.class);
                    assertThat(s.failOpen()).isFalse();
                    assertThat(s.budget()).isEqualTo(java.time.Duration.ofMillis(80));
                    assertThat(s.data().refresh()).isEqualTo(java.time.Duration.ofHours(6));
                });
    }

    private static List<PropertySource<?>> yaml(String text) {
        try {
            return new ArrayList<>(new YamlPropertySourceLoader().load("application.yml",
                    new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8), "application.yml")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
