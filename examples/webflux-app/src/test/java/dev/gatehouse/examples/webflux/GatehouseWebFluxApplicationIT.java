package dev.gatehouse.examples.webflux;

import dev.gatehouse.api.Policy;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WebFlux example application on a real Reactor Netty server (random port), configured by its own application.yml
 * (loopback trusted as a proxy), with test doubles for the engine and the policy: the starter steps
 * aside for beans the application defines.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatehouseWebFluxApplicationIT {

    private static final String TOR_EXIT = "192.0.2.66";

    @TestConfiguration(proxyBeanMethods = false)
    static class Doubles {
        @Bean
        FakeEngine engine() {
            return new FakeEngine().tor(TOR_EXIT);
        }

        @Bean
        Policy policy() {
            return TestPolicy.torBlocking();
        }
    }

    @LocalServerPort
    private int port;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void hello_fromTorExit_isBlockedWith403() throws Exception {
        HttpResponse<String> response = get("/hello", TOR_EXIT, "application/json");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).contains("block-tor").doesNotContain("hello");
    }

    @Test
    void hello_fromOrdinaryVisitor_seesTheDecisionInTheController() throws Exception {
        HttpResponse<String> response = get("/hello", "198.51.100.7", "application/json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"client\":\"198.51.100.7\"", "\"verdict\":\"allow\"", "\"rule\":\"default/allow\"",
                "\"verdictHeader\":\"allow\"");
    }

    @Test
    void hello_forgedVerdictHeader_neverReachesTheController() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                .header("X-Forwarded-For", TOR_EXIT)
                .header("X-Gatehouse-Verdict", "allow")
                .build();

        assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    }

    @Test
    void actuator_showsGatehouseHealth() throws Exception {
        HttpResponse<String> response = get("/actuator/health/gatehouse", "198.51.100.7", "application/json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"UP\"", "\"engine\":\"fake\"", "\"policy\":", "\"warnings\":");
    }

    @Test
    void actuator_gatehouseEndpoint_explainsADecision() throws Exception {
        HttpResponse<String> response = get("/actuator/gatehouse/explain?ip=" + TOR_EXIT + "&path=/hello", "198.51.100.7", "application/json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"verdict\":\"block\"", "\"rule\":\"rule/block-tor\"");
    }

    private HttpResponse<String> get(String path, String clientIp, String accept) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Forwarded-For", clientIp)
                .header("Accept", accept)
                .timeout(Duration.ofSeconds(5))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
