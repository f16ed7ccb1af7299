package dev.gatehouse.examples.servlet;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.servlet.FilterOptions;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example as a user runs it: Jetty on an ephemeral port, a real HTTP client, Gatehouse deciding
 * with test doubles (an engine that knows one Tor exit, a policy that blocks Tor) instead of the
 * embedded data and the YAML policy.
 */
class ServletAppIT {

    private static final String TOR_EXIT = "192.0.2.66";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Gatehouse gatehouse;
    private Server server;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        gatehouse = Gatehouse.builder().engine(new FakeEngine().tor(TOR_EXIT)).policy(TestPolicy.torBlocking()).build();
        ClientIpResolver resolver = ClientIpResolver.trusting(TrustedProxies.loopback());
        server = ServletApp.start(new InetSocketAddress("127.0.0.1", 0), gatehouse, resolver, FilterOptions.defaults());
        base = server.getURI();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        gatehouse.close();
    }

    @Test
    void hello_fromTorExit_isBlockedWith403BeforeTheServlet() throws Exception {
        HttpResponse<String> response = get("/hello", TOR_EXIT);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("block-tor").doesNotContain("hello");
    }

    @Test
    void hello_fromOrdinaryVisitor_reachesTheServletWithTheDecision() throws Exception {
        HttpResponse<String> response = get("/hello", "198.51.100.7");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("hello 198.51.100.7", "verdict allow", "rule default/allow",
                "X-Gatehouse-Verdict: allow");
    }

    @Test
    void hello_overTheLimit_gets429WithRetryAfter() throws Exception {
        HttpResponse<String> response = get("/limited", "198.51.100.7");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
    }

    private HttpResponse<String> get(String path, String clientIp) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .header("X-Forwarded-For", clientIp)
                .timeout(Duration.ofSeconds(5))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
