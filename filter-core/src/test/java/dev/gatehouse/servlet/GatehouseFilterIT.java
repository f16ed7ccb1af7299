package dev.gatehouse.servlet;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.testing.FakeEngine;
import dev.gatehouse.testing.TestPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.AsyncContext;
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

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter in a real Jetty 12 (ee11) servlet container on an ephemeral port, driven over HTTP. The
 * client connects from 127.0.0.1: under {@code /trusting} loopback is a trusted proxy, so
 * {@code X-Forwarded-For} chooses the client; under {@code /direct} nobody is trusted; {@code /closed}
 * fails closed.
 */
class GatehouseFilterIT {

    private static final String TOR = "192.0.2.66";
    private static final String SLOW = "192.0.2.77";
    private static final String BROKEN = "192.0.2.88";

    private static final FakeEngine engine = new FakeEngine()
            .tor(TOR)
            .hang(SLOW)
            .fail(BROKEN, new IllegalStateException("provider down"));
    private static Server server;
    private static HttpClient client;
    private static URI base;

    /** Echoes what the application sees of the decision. */
    static final class EchoServlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getRequestURI().endsWith("/async") && request.getDispatcherType() == DispatcherType.REQUEST) {
                AsyncContext async = request.startAsync();
                async.dispatch(); // re-enters the filter chain as an ASYNC dispatch
                return;
            }
            Decision decision = (Decision) request.getAttribute(Decision.REQUEST_ATTRIBUTE);
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().print("dispatch=" + request.getDispatcherType()
                    + "\ndecision=" + (decision == null ? "none" : decision.verdict() + " " + decision.rule() + " client=" + decision.signals().ip())
                    + "\nx-gatehouse-verdict=" + request.getHeader("X-Gatehouse-Verdict")
                    + "\nx-gatehouse-bot=" + request.getHeader("X-Gatehouse-Bot")
                    + "\nheader-names=" + String.join(",", java.util.Collections.list(request.getHeaderNames()))
                    + "\nx_gatehouse_bot=" + request.getHeader("X_Gatehouse_Bot")
                    + "\nx-gatehouse-client-ip=" + request.getHeader("X-Gatehouse-Client-Ip")
                    + "\nx-request-id=" + request.getHeader("X-Request-Id")
                    + "\nrequest-id-attribute=" + request.getAttribute("dev.gatehouse.RequestId") + "\n");
        }
    }

    private static Gatehouse gatehouse(boolean failOpen) {
        return Gatehouse.builder().engine(engine).policy(TestPolicy.torBlocking()).budget(Duration.ofMillis(50))
                .failOpen(failOpen).meterRegistry(new SimpleMeterRegistry()).build();
    }

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder echo = new ServletHolder(new EchoServlet());
        echo.setAsyncSupported(true);
        context.addServlet(echo, "/*");
        EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
        add(context, new GatehouseFilter(gatehouse(true), ClientIpResolver.trusting(TrustedProxies.loopback()),
                FilterOptions.builder().explainHeader(true).build()), "/trusting/*", dispatches);
        add(context, new GatehouseFilter(gatehouse(true), ClientIpResolver.direct(), FilterOptions.defaults()), "/direct/*", dispatches);
        add(context, new GatehouseFilter(gatehouse(false), ClientIpResolver.trusting(TrustedProxies.loopback()), FilterOptions.defaults()),
                "/closed/*", dispatches);
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static void add(ServletContextHandler context, GatehouseFilter filter, String path, EnumSet<DispatcherType> dispatches) {
        FilterHolder holder = new FilterHolder(filter);
        holder.setAsyncSupported(true);
        context.addFilter(holder, path, dispatches);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        return send("GET", path, headers);
    }

    private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void allow_ordinaryClientBehindTrustedProxy_reachesTheServletWithTheDecision() throws Exception {
        HttpResponse<String> r = get("/trusting/hello?x=1", "X-Forwarded-For", "203.0.113.5");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("decision=allow default/allow client=203.0.113.5").contains("x-gatehouse-verdict=allow");
        assertThat(r.headers().firstValue("X-Gatehouse-Explain")).get().asString()
                .startsWith("allow default/allow; client=203.0.113.5 (FIRST_UNTRUSTED_HOP X-Forwarded-For hop 1)");
    }

    @Test
    void block_torExit_403JsonNamingTheRule() throws Exception {
        HttpResponse<String> r = get("/trusting/hello", "X-Forwarded-For", TOR, "Accept", "application/json");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(r.body()).contains("\"verdict\":\"block\"").contains("\"rule\":\"rule/block-tor\"").contains("\"status\":403");
    }

    @Test
    void block_torExit_htmlForBrowsers() throws Exception {
        HttpResponse<String> r = get("/trusting/hello", "X-Forwarded-For", TOR,
                "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
        assertThat(r.body()).contains("<html", "Access denied");
        // the same request id on the page and in the header; a client's own id (untrusted here) is not it
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(r.body()).contains("<code id=\"request-id\">" + id + "</code>");
    }

    @Test
    void block_head_hasNoBody() throws Exception {
        HttpResponse<String> r = send("HEAD", "/trusting/hello", "X-Forwarded-For", TOR);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void rateLimit_429WithRetryAfterAndRateLimitHeaders() throws Exception {
        HttpResponse<String> r = get("/trusting/limited/page", "X-Forwarded-For", "203.0.113.5", "Accept", "application/json");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).contains("30");
        assertThat(r.headers().firstValue("RateLimit-Policy")).isPresent();
        assertThat(r.headers().firstValue("RateLimit")).isPresent();
        assertThat(r.body()).contains("\"verdict\":\"rate_limit\"").contains("rule/slow-down");
    }

    @Test
    void spoofedXForwardedFor_fromUntrustedPeer_isIgnored() throws Exception {
        HttpResponse<String> r = get("/direct/hello", "X-Forwarded-For", TOR, "Forwarded", "for=" + TOR);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("client=127.0.0.1");
    }

    @Test
    void requestId_untrustedClientsReplaced_trustedProxysKept_andTheAppSeesIt() throws Exception {
        HttpResponse<String> direct = get("/direct/hello", "X-Request-Id", "chosen-by-client");
        String id = direct.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).isNotEqualTo("chosen-by-client").hasSize(26);
        assertThat(direct.body()).contains("x-request-id=" + id, "request-id-attribute=" + id).doesNotContain("chosen-by-client");

        HttpResponse<String> trusted = get("/trusting/hello", "X-Forwarded-For", "203.0.113.5", "X-Request-Id", "lb-42");
        assertThat(trusted.headers().firstValue("X-Request-Id")).contains("lb-42");
        assertThat(trusted.body()).contains("x-request-id=lb-42");
    }

    @Test
    void clientSentGatehouseHeaders_areHiddenFromTheApplication() throws Exception {
        HttpResponse<String> r = get("/direct/hello", "X-Gatehouse-Verdict", "trusted-by-me", "X-Gatehouse-Bot", "Googlebot");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("x-gatehouse-verdict=allow").contains("x-gatehouse-bot=null").doesNotContain("trusted-by-me");
    }

    @Test
    void clientSentGatehouseHeaders_inOtherSpellings_areHiddenFromTheApplication() throws Exception {
        HttpResponse<String> r = get("/direct/hello", "X_Gatehouse_Bot", "Googlebot", "x_gatehouse-verdict", "allow",
                "X-Gatehouse-Client-Ip", "203.0.113.1", "X-Gatehouse-Explain", "forged");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("x_gatehouse_bot=null", "x-gatehouse-client-ip=null", "x-gatehouse-verdict=allow")
                .doesNotContain("Googlebot").doesNotContain("203.0.113.1").doesNotContain("forged");
        String names = r.body().lines().filter(l -> l.startsWith("header-names=")).findFirst().orElseThrow();
        assertThat(names).doesNotContainIgnoringCase("x_gatehouse").doesNotContainIgnoringCase("client-ip")
                .doesNotContainIgnoringCase("explain");
    }

    @Test
    void engineTimeout_answeredOnWhatIsKnownAndSaysSo() throws Exception {
        HttpResponse<String> r = get("/trusting/hello", "X-Forwarded-For", SLOW);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("decision=allow default/allow client=" + SLOW);
        assertThat(r.headers().firstValue("X-Gatehouse-Explain")).get().asString().contains("budget-exceeded");
    }

    @Test
    void engineFailure_failOpenAllows() throws Exception {
        HttpResponse<String> r = get("/trusting/hello", "X-Forwarded-For", BROKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("decision=allow");
    }

    @Test
    void engineFailure_failClosedBlocksWith503() throws Exception {
        HttpResponse<String> r = get("/closed/hello", "X-Forwarded-For", BROKEN, "Accept", "application/json");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"rule\":\"error/engine\"");
        assertThat(get("/closed/hello", "X-Forwarded-For", "203.0.113.5").statusCode()).isEqualTo(200);
    }

    @Test
    void asyncServlet_redispatchIsNotDecidedTwice() throws Exception {
        int before = engine.lookups();
        HttpResponse<String> r = get("/trusting/async", "X-Forwarded-For", "203.0.113.9");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("dispatch=ASYNC").contains("decision=allow default/allow client=203.0.113.9");
        assertThat(engine.lookups() - before).isEqualTo(1);
    }
}
