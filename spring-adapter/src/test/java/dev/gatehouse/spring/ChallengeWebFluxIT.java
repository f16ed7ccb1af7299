package dev.gatehouse.spring;

import dev.gatehouse.api.Policy;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.HeadlessChromium;
import dev.gatehouse.testing.Services;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code action: challenge} on WebFlux (Reactor Netty, the GatehouseWebFilter): a real headless Chromium reaches the controller, curl does not. */
@SpringBootTest(classes = ChallengeWebFluxIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.web-application-type=reactive", "gatehouse.challenge.difficulty=8",
                "spring.cloud.gateway.server.webflux.enabled=false"})
class ChallengeWebFluxIT {

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(HelloController.class)
    static class App {
        @Bean
        FakeEngine engine() {
            return new FakeEngine();
        }

        @Bean
        Policy policy() {
            return PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).build().parse("""
                    rules:
                      - name: challenge-everyone
                        action: challenge
                    default: allow
                    """, "challenge.yaml");
        }
    }

    @RestController
    static class HelloController {
        @GetMapping("/hello")
        String hello() {
            return "hello from webflux";
        }
    }

    @LocalServerPort
    int port;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void realBrowser_solvesTheChallengeAndReachesTheController() throws Exception {
        Path chromium = Services.requireCommand("chromium"); // skipped locally without it, a failure in CI
        try (HeadlessChromium browser = HeadlessChromium.start(chromium);
             HeadlessChromium.Tab tab = browser.open("http://127.0.0.1:" + port + "/hello")) {
            assertThat(tab.awaitText("hello from webflux", Duration.ofSeconds(60))).contains("/hello");
        }
    }

    @Test
    void clientWithoutJavaScript_neverReachesTheController() throws Exception {
        HttpResponse<String> curl = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                .header("Accept", "*/*").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(curl.statusCode()).isEqualTo(403);
        assertThat(curl.body()).doesNotContain("hello from webflux");
    }
}
