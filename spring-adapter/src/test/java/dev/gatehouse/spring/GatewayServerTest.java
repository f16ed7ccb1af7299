package dev.gatehouse.spring;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.api.Policy;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gatehouse.spring.ServerTestApp.CLIENT;
import static dev.gatehouse.spring.ServerTestApp.TOR_EXIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Spring Cloud Gateway (reactive server, Reactor Netty, random port) with the starter, routing every
 * path to a real upstream (the JDK's HTTP server on an ephemeral port) that answers with the
 * {@code X-Gatehouse-*} headers it received. Loopback is trusted as a proxy, so {@code X-Forwarded-For}
 * picks the client; the explain header is on.
 */
@SpringBootTest(classes = GatewayServerTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.web-application-type=reactive", "gatehouse.trusted-proxies=loopback",
                "gatehouse.explain-header=true", "spring.cloud.gateway.server.webflux.enabled=true"})
class GatewayServerTest {

    static final AtomicInteger UPSTREAM_REQUESTS = new AtomicInteger();
    static final HttpServer UPSTREAM = upstream();

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        FakeEngine engine() {
            return new FakeEngine().tor(TOR_EXIT);
        }

        @Bean
        Policy policy() {
            return TestPolicy.torBlocking();
        }

        @Bean
        RouteLocator routes(RouteLocatorBuilder routes) {
            return routes.routes().route("upstream", r -> r.path("/**").uri("http://127.0.0.1:" + UPSTREAM.getAddress().getPort())).build();
        }
    }

    /** Answers 200 with what Gatehouse told it: {@code verdict rule score forged-header}. */
    private static HttpServer upstream() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                UPSTREAM_REQUESTS.incrementAndGet();
                var h = exchange.getRequestHeaders();
                byte[] body = (h.getFirst("X-Gatehouse-Verdict") + " " + h.getFirst("X-Gatehouse-Rule") + " "
                        + h.getFirst("X-Gatehouse-Threat-Score") + " " + h.getFirst("X-Gatehouse-Client-Ip")).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.stop(0);
    }

    @BeforeEach
    void resetCount() {
        UPSTREAM_REQUESTS.set(0);
    }

    ServerTestApp.Client client() {
        return new ServerTestApp.Client(port);
    }

    @Test
    void gateway_getsTheGlobalFilterOnly() {
        assertThat(context.getBeansOfType(GatehouseGlobalFilter.class)).hasSize(1);
        assertThat(context.getBeansOfType(GatehouseWebFilter.class)).isEmpty();
    }

    @Test
    void allowed_reachesUpstreamWithDecisionHeaders_andForgedOnesRemoved() throws Exception {
        HttpResponse<String> response = client().get("/anything", "X-Forwarded-For", CLIENT,
                "X-Gatehouse-Verdict", "forged", "X-Gatehouse-Client-Ip", "forged");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("allow default/allow 0 null");
        assertThat(UPSTREAM_REQUESTS).hasValue(1);
        assertThat(response.headers().firstValue("X-Gatehouse-Explain"))
                .hasValueSatisfying(explain -> assertThat(explain).startsWith("allow default/allow; client=" + CLIENT + " ("));
    }

    @Test
    void torExit_isRefusedWith403_andNeverReachesUpstream() throws Exception {
        HttpResponse<String> response = client().get("/anything", "X-Forwarded-For", TOR_EXIT, "Accept", "application/json");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("\"rule\":\"rule/block-tor\"");
        assertThat(response.headers().firstValue("X-Gatehouse-Explain"))
                .hasValueSatisfying(explain -> assertThat(explain).startsWith("block rule/block-tor; client=" + TOR_EXIT));
        assertThat(UPSTREAM_REQUESTS).hasValue(0);
    }

    @Test
    void overTheLimit_gets429WithRetryAfter_andNeverReachesUpstream() throws Exception {
        HttpResponse<String> response = client().get("/limited", "X-Forwarded-For", CLIENT);
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(UPSTREAM_REQUESTS).hasValue(0);
    }

    @Test
    void clientNotBehindTrustedProxy_isTheSocketPeer() throws Exception {
        // no X-Forwarded-For: the client is the loopback peer itself, an ordinary address for the fake engine
        HttpResponse<String> response = client().get("/anything");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("allow default/allow");
    }
}
