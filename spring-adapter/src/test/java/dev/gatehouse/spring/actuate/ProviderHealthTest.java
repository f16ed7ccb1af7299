package dev.gatehouse.spring.actuate;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.engine.provider.Providers;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.spring.GatehouseAutoConfiguration;
import dev.gatehouse.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The remote providers in the {@code gatehouse} health contributor, on the starter's own engine: a provider
 * whose API key is rejected (a real HTTP server on an ephemeral port answering 401) is reported {@code off},
 * with a warning line, and the application stays UP.
 */
class ProviderHealthTest {

    private HttpServer provider;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startProvider() throws Exception {
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "{\"message\": \"Unauthorized\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        provider.start();
    }

    @AfterEach
    void stopProvider() {
        provider.stop(0);
    }

    private WebApplicationContextRunner runner() {
        return new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseActuatorAutoConfiguration.class))
                .withBean(Policy.class, TestPolicy::torBlocking)
                .withPropertyValues("gatehouse.providers.iptrust.enabled=true", "gatehouse.providers.iptrust.api-key=test-key-123",
                        "gatehouse.providers.iptrust.base-url=http://127.0.0.1:" + provider.getAddress().getPort(),
                        "gatehouse.providers.iptrust.when=always", "gatehouse.providers.iptrust.timeout=5s", "gatehouse.budget=10s");
    }

    @Test
    @SuppressWarnings("unchecked")
    void providerWithRejectedKey_isReportedOff_andTheApplicationStaysUp() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Providers.class);
            GatehouseHealthIndicator indicator = context.getBean(GatehouseHealthIndicator.class);
            Map<String, Object> before = (Map<String, Object>) indicator.health().getDetails().get("providers");
            assertThat((Map<String, Object>) before.get("iptrust")).containsEntry("state", "up");

            // the engine asks the Providers bean's provider: the 401 turns it off
            context.getBean(IntelligenceEngine.class).lookup(RequestFacts.forIp(IpAddress.parse("74.148.39.34")))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            // the engine may decide before the 401 is read (the provider's share of the budget); its state follows it
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat((Map<String, Object>) ((Map<String, Object>)
                    indicator.health().getDetails().get("providers")).get("iptrust")).containsEntry("state", "off"));
            assertThat(requests).hasValue(1);

            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            Map<String, Object> iptrust = (Map<String, Object>) ((Map<String, Object>) health.getDetails().get("providers")).get("iptrust");
            assertThat(iptrust).containsEntry("state", "off").containsEntry("up", false);
            assertThat((String) iptrust.get("detail")).contains("API key rejected").doesNotContain("test-key-123");
            assertThat((List<String>) health.getDetails().get("warnings")).anyMatch(w -> w.startsWith("provider iptrust: off"));
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void noProviders_noProviderDetailsNorWarnings() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseActuatorAutoConfiguration.class))
                .withBean(Policy.class, TestPolicy::torBlocking)
                .run(context -> {
                    Health health = context.getBean(GatehouseHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).doesNotContainKey("providers");
                    // (the bundled data's age may be warned about: only provider lines are ruled out)
                    assertThat((List<String>) health.getDetails().get("warnings")).noneMatch(w -> w.startsWith("provider "));
                });
    }

    @Test
    void userProvidersBean_isTheOneReported() {
        runner().withBean(Providers.class, Providers::none)
                .run(context -> assertThat(context.getBean(GatehouseHealthIndicator.class).health().getDetails())
                        .doesNotContainKey("providers"));
    }
}
