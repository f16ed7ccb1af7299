package dev.gatehouse.servlet;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.challenge.ChallengeSettings;
import dev.gatehouse.challenge.Challenger;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.HeadlessChromium;
import dev.gatehouse.testing.Services;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code action: challenge} through the servlet filter in a real Jetty (ee11) container, under a
 * context path: a real headless Chromium solves the page and reaches the servlet; a client without
 * JavaScript never does. (Spring registers this same filter.)
 */
class ChallengeFilterIT {

    private static final String POLICY = """
            rules:
              - name: passed
                when: {challenge_passed: true}
                action: allow
              - name: challenge-everyone
                action: challenge
                difficulty: 8
            default: allow
            """;

    private static Server server;
    private static URI base;
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static final class HelloServlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().print("hello from the app: " + request.getMethod() + " " + request.getRequestURI()
                    + (request.getQueryString() == null ? "" : "?" + request.getQueryString())
                    + " verdict=" + request.getHeader("X-Gatehouse-Verdict") + " rule=" + request.getHeader("X-Gatehouse-Rule") + "\n");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Gatehouse gatehouse = Gatehouse.builder().engine(new FakeEngine())
                .policy(PolicyLoader.builder().meterRegistry(registry).build().parse(POLICY, "challenge.yaml"))
                .challenger(Challenger.create(ChallengeSettings.custom().secret("challenge-filter-it-secret-0123456789")
                        .maxFailures(3).build(), registry))
                .budget(Duration.ofMillis(200)).meterRegistry(registry).build();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/shop");
        context.addServlet(new ServletHolder(new HelloServlet()), "/*");
        context.addFilter(new FilterHolder(new GatehouseFilter(gatehouse, ClientIpResolver.trusting(TrustedProxies.loopback()),
                FilterOptions.defaults())), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void realBrowser_solvesTheChallengeAndReachesTheServlet() throws Exception {
        Path chromium = Services.requireCommand("chromium"); // skipped locally without it, a failure in CI
        try (HeadlessChromium browser = HeadlessChromium.start(chromium);
             HeadlessChromium.Tab tab = browser.open(base.resolve("/shop/items?page=2").toString())) {
            String page = tab.awaitText("hello from the app", Duration.ofSeconds(60));
            assertThat(page).contains("GET /shop/items?page=2").contains("rule=rule/passed");
        }
    }

    @Test
    void clientWithoutJavaScript_neverReachesTheServlet() throws Exception {
        HttpResponse<String> curl = get("/shop/items", "User-Agent", "curl/8.5.0", "Accept", "*/*");
        assertThat(curl.statusCode()).isEqualTo(403);
        assertThat(curl.body()).doesNotContain("hello from the app");

        HttpResponse<String> page = get("/shop/items", "Accept", "text/html", "X-Forwarded-For", "198.51.100.30");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.body()).contains("data-verify=\"/shop/.gatehouse/challenge/verify\"").doesNotContain("hello from the app");
        assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();

        HttpResponse<String> forged = get("/shop/.gatehouse/challenge/verify?nonce=1.2.3.4.5&answer=1&return=%2Fshop%2F",
                "Accept", "text/html", "X-Forwarded-For", "198.51.100.31");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.headers().firstValue("Set-Cookie")).isEmpty();
    }
}
