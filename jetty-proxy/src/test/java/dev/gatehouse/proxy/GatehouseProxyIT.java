package dev.gatehouse.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.PolicyProblem;
import dev.gatehouse.policy.ReloadablePolicy;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The real proxy on an ephemeral port, in front of a real upstream, over real HTTP; engine and policy are doubles. */
class GatehouseProxyIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private EchoUpstream upstream;
    private PrometheusMeterRegistry registry;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = EchoUpstream.start(new InetSocketAddress("127.0.0.1", 0));
        closeables.add(upstream);
        registry = GatehouseFactory.prometheus();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private GatehouseProxy.Builder proxy(IntelligenceEngine engine, TrustedProxies trusted) {
        Gatehouse gatehouse = Gatehouse.builder().engine(engine).policy(Doubles.policy())
                .budget(Duration.ofMillis(200)).meterRegistry(registry).build();
        return GatehouseProxy.builder()
                .listen(HostPort.parse("127.0.0.1:0", -1))
                .upstream(upstream.uri())
                .gatehouse(gatehouse)
                .trustedProxies(trusted)
                .prometheus(registry);
    }

    private GatehouseProxy started(GatehouseProxy.Builder builder) throws Exception {
        GatehouseProxy proxy = builder.start();
        closeables.add(proxy);
        return proxy;
    }

    private HttpResponse<String> get(GatehouseProxy proxy, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> admin(GatehouseProxy proxy, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void allow_forwardsWithGatehouseHeaders() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()));

        HttpResponse<String> response = get(proxy, "/hello?x=1", "User-Agent", "test-agent/1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().lines().filter(l -> l.regionMatches(true, 0, "User-Agent:", 0, 11)))
                .containsExactly("User-Agent: test-agent/1");
        assertThat(response.body()).startsWith("GET /hello?x=1 HTTP/1.1\n");
        assertThat(response.body()).contains("X-Gatehouse-Verdict: allow\n", "X-Gatehouse-Rule: default/allow\n",
                "X-Gatehouse-Threat-Score: 0\n");
    }

    @Test
    void allow_clientSentGatehouseHeadersAreStripped() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()));

        HttpResponse<String> response = get(proxy, "/",
                "X-Gatehouse-Verdict", "forged", "x-gatehouse-rule", "rule/forged", "X-Gatehouse-Bot", "Googlebot");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("X-Gatehouse-Verdict: allow\n");
        assertThat(response.body()).doesNotContainIgnoringCase("forged").doesNotContain("X-Gatehouse-Bot");
    }

    @Test
    void allow_upstreamSeesThePeerAsXForwardedFor_neverAnUntrustedClientsClaim() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()));

        HttpResponse<String> spoofing = get(proxy, "/", "X-Forwarded-For", "203.0.113.9");
        HttpResponse<String> plain = get(proxy, "/");

        // The peer is not a trusted proxy: what it wrote is dropped, the hop Gatehouse saw is the only entry.
        assertThat(spoofing.body()).contains("X-Forwarded-For: 127.0.0.1\n").doesNotContain("203.0.113.9");
        assertThat(plain.body()).contains("X-Forwarded-For: 127.0.0.1\n");
    }

    @Test
    void block_answers403WithBodyNamingTheRule() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()));

        HttpResponse<String> response = get(proxy, "/blocked");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/html"));
        assertThat(response.body()).contains("rule/block-path").doesNotContain("X-Gatehouse");
    }

    @Test
    void block_jsonWhenAccepted() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()));

        HttpResponse<String> response = get(proxy, "/blocked", "Accept", "application/json");

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode json = MAPPER.readTree(response.body());
        assertThat(json.get("verdict").asText()).isEqualTo("block");
        assertThat(json.get("rule").asText()).isEqualTo("rule/block-path");
    }

    @Test
    void rateLimit_answers429WithRetryAfterAndRateLimitHeaders() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()));

        HttpResponse<String> response = get(proxy, "/limited");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(response.headers().firstValue("RateLimit-Policy")).hasValue("\"demo\";q=1;w=60");
        assertThat(response.body()).contains("rule/limit-demo");
    }

    @Test
    void block_torExitFromTheSocketPeer() throws Exception {
        // The engine calls the loopback peer itself a Tor exit: no forwarding headers involved.
        IntelligenceEngine torLoopback = facts -> CompletableFuture.completedFuture(
                Doubles.signals(dev.gatehouse.net.IpAddress.parse(Doubles.TOR_IP)));
        GatehouseProxy proxy = started(proxy(torLoopback, TrustedProxies.none()));

        HttpResponse<String> response = get(proxy, "/");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("rule/block-tor");
    }

    @Test
    void forwardedFor_fromUntrustedPeer_isIgnored() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()));

        HttpResponse<String> response = get(proxy, "/", "X-Forwarded-For", Doubles.TOR_IP, "Forwarded", "for=" + Doubles.TOR_IP);

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void forwardedFor_fromTrustedPeer_picksTheClient() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.loopback()));

        HttpResponse<String> tor = get(proxy, "/", "X-Forwarded-For", Doubles.TOR_IP);
        // The rightmost untrusted hop is the client; whatever the client wrote to the left is its own claim.
        HttpResponse<String> spoofedLeft = get(proxy, "/", "X-Forwarded-For", Doubles.TOR_IP + ", 198.51.100.7");

        assertThat(tor.statusCode()).isEqualTo(403);
        assertThat(spoofedLeft.statusCode()).isEqualTo(200);
    }

    @Test
    void engineThatNeverAnswers_decidesWithinTheBudget() throws Exception {
        GatehouseProxy proxy = started(proxy(facts -> new CompletableFuture<>(), TrustedProxies.none()));

        HttpResponse<String> response = get(proxy, "/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("X-Gatehouse-Verdict: allow");
        assertThat(registry.scrape()).contains("gatehouse_engine_timeouts_total 1.0");
    }

    @Test
    void upstreamDown_answers502() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none())
                .upstream(URI.create("http://127.0.0.1:" + closedPort)));

        HttpResponse<String> response = get(proxy, "/");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(registry.scrape()).contains("gatehouse_proxy_upstream_errors_total{status=\"502\"} 1.0");
    }

    @Test
    void upstreamSilent_answers504() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            AtomicReference<Socket> accepted = new AtomicReference<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.set(silent.accept()); // accept, then never answer
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            acceptor.start();
            GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none())
                    .upstream(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                    .upstreamTimeout(Duration.ofMillis(300)));

            HttpResponse<String> response = get(proxy, "/");

            assertThat(response.statusCode()).isEqualTo(504);
            Socket s = accepted.get();
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void admin_probesAndMetrics() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()).admin(HostPort.parse("127.0.0.1:0", -1)));
        get(proxy, "/");
        get(proxy, "/blocked");

        assertThat(admin(proxy, "GET", "/healthz").statusCode()).isEqualTo(200);
        assertThat(admin(proxy, "GET", "/readyz").body()).isEqualTo("ready\n");
        HttpResponse<String> metrics = admin(proxy, "GET", "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("gatehouse_decisions_total{shadow=\"false\",verdict=\"allow\"} 1.0",
                "gatehouse_decisions_total{shadow=\"false\",verdict=\"block\"} 1.0",
                "gatehouse_proxy_requests_total{outcome=\"forwarded\"} 1.0",
                "gatehouse_proxy_requests_total{outcome=\"refused\"} 1.0");
    }

    @Test
    void admin_readyz_reportsTheLastFailedPolicyReload() throws Exception {
        AtomicReference<Optional<ReloadablePolicy.ReloadFailure>> failure = new AtomicReference<>(Optional.empty());
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none())
                .admin(HostPort.parse("127.0.0.1:0", -1)).policyFailure(failure::get));
        assertThat(admin(proxy, "GET", "/readyz").body()).isEqualTo("ready\n");

        failure.set(Optional.of(new ReloadablePolicy.ReloadFailure(Instant.parse("2026-11-30T10:00:00Z"),
                "policy.yaml:4:12: rules[0](block-tor).when.tro: unknown signal 'tro'", "0123456789ab")));
        HttpResponse<String> readyz = admin(proxy, "GET", "/readyz");

        // the last good policy still serves: ready, with the failure in the details
        assertThat(readyz.statusCode()).isEqualTo(200);
        assertThat(readyz.body()).isEqualTo("ready\npolicy reload failed at 2026-11-30T10:00:00Z: "
                + "policy.yaml:4:12: rules[0](block-tor).when.tro: unknown signal 'tro' (version 0123456789ab stays active)\n");
    }

    @Test
    void admin_ipLookupIsSignalsJson() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()).admin(HostPort.parse("127.0.0.1:0", -1)));

        HttpResponse<String> response = admin(proxy, "GET", "/v1/ip/" + Doubles.TOR_IP);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = MAPPER.readTree(response.body());
        assertThat(json.get("tor").get("value").asBoolean()).isTrue();
        assertThat(json.get("tor").get("sources").get(0).asText()).isEqualTo("embedded:tor");
        assertThat(json.get("sources").has("embedded:tor")).isTrue();
    }

    @Test
    void admin_ipLookup_invalidAddress_is400NamingIt() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()).admin(HostPort.parse("127.0.0.1:0", -1)));

        HttpResponse<String> response = admin(proxy, "GET", "/v1/ip/evil.example");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("evil.example");
    }

    @Test
    void admin_explainIsDecisionJson() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()).admin(HostPort.parse("127.0.0.1:0", -1)));

        HttpResponse<String> response = admin(proxy, "GET", "/v1/explain?ip=" + Doubles.TOR_IP + "&ua=curl/8&path=/x&method=post");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = MAPPER.readTree(response.body());
        assertThat(json.get("verdict").asText()).isEqualTo("block");
        assertThat(json.get("rule").asText()).isEqualTo("rule/block-tor");
        assertThat(json.get("trace").get(0).get("matched").asBoolean()).isTrue();
        assertThat(json.get("timings").has("total_ms")).isTrue();
        // Explaining is not serving: it does not count as a decision.
        assertThat(registry.scrape()).contains("gatehouse_decisions_total{shadow=\"false\",verdict=\"block\"} 0.0");
    }

    @Test
    void admin_reload_appliedIs200_invalidIs422WithProblems() throws Exception {
        AtomicReference<ReloadablePolicy.ReloadResult> next = new AtomicReference<>(
                new ReloadablePolicy.ReloadResult(true, "v2", List.of()));
        Supplier<ReloadablePolicy.ReloadResult> reload = next::get;
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none())
                .admin(HostPort.parse("127.0.0.1:0", -1)).reload(reload));

        HttpResponse<String> applied = admin(proxy, "POST", "/v1/reload");
        next.set(new ReloadablePolicy.ReloadResult(false, "v2", List.of(
                new PolicyProblem("policy.yaml", 3, 5, "rules[0].when", PolicyProblem.Kind.UNKNOWN_SIGNAL, "unknown signal 'torr'"))));
        HttpResponse<String> refused = admin(proxy, "POST", "/v1/reload");

        assertThat(applied.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(applied.body()).get("version").asText()).isEqualTo("v2");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(MAPPER.readTree(refused.body()).get("problems").get(0).asText())
                .isEqualTo("policy.yaml:3:5: unknown signal 'torr'");
        assertThat(admin(proxy, "GET", "/v1/reload").statusCode()).isEqualTo(405);
    }

    @Test
    void admin_reloadWithoutPolicyFile_is409() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none()).admin(HostPort.parse("127.0.0.1:0", -1)));

        assertThat(admin(proxy, "POST", "/v1/reload").statusCode()).isEqualTo(409);
    }

    @Test
    void admin_token_requiredExceptForProbes() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none())
                .admin(HostPort.parse("127.0.0.1:0", -1)).adminToken("s3cret"));

        assertThat(admin(proxy, "GET", "/healthz").statusCode()).isEqualTo(200);
        assertThat(admin(proxy, "GET", "/metrics").statusCode()).isEqualTo(401);
        assertThat(admin(proxy, "GET", "/metrics", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(admin(proxy, "GET", "/metrics", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
    }

    @Test
    void admin_unknownPath_is404WhateverTheMethodOrToken() throws Exception {
        GatehouseProxy proxy = started(proxy(Doubles.engine(), TrustedProxies.none())
                .admin(HostPort.parse("127.0.0.1:0", -1)).adminToken("s3cret"));

        HttpResponse<String> get = admin(proxy, "GET", "/v1/nothing");
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(MAPPER.readTree(get.body()).get("error").asText()).isEqualTo("no such endpoint: /v1/nothing");
        assertThat(admin(proxy, "POST", "/v1/nothing").statusCode()).isEqualTo(404);
        assertThat(admin(proxy, "POST", "/healthz").statusCode()).as("a known path, wrong method").isEqualTo(405);
    }

    @Test
    void post_bodyReachesTheUpstreamAfterASlowDecision() throws Exception {
        org.eclipse.jetty.server.Server bodyEcho = new org.eclipse.jetty.server.Server(new InetSocketAddress("127.0.0.1", 0));
        bodyEcho.setHandler(new org.eclipse.jetty.server.Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                  org.eclipse.jetty.util.Callback callback) throws Exception {
                String body = org.eclipse.jetty.io.Content.Source.asString(request);
                org.eclipse.jetty.io.Content.Sink.write(response, true, "got " + body, callback);
                return true;
            }
        });
        bodyEcho.start();
        closeables.add(bodyEcho::stop);
        // The engine answers later, on another thread: the body must wait for the decision, not be lost.
        IntelligenceEngine slow = facts -> CompletableFuture.supplyAsync(() -> Doubles.signals(facts.clientIp()),
                CompletableFuture.delayedExecutor(50, java.util.concurrent.TimeUnit.MILLISECONDS));
        GatehouseProxy proxy = started(proxy(slow, TrustedProxies.none())
                .upstream(URI.create("http://127.0.0.1:" + ((org.eclipse.jetty.server.ServerConnector) bodyEcho.getConnectors()[0]).getLocalPort())));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/form"))
                .POST(HttpRequest.BodyPublishers.ofString("name=value&x=" + "y".repeat(20_000))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("got name=value&x=" + "y".repeat(20_000));
    }

    @Test
    void bareProxy_forwardsWithoutGatehouseHeaders() throws Exception {
        GatehouseProxy proxy = started(GatehouseProxy.builder()
                .listen(HostPort.parse("127.0.0.1:0", -1)).upstream(upstream.uri()));

        HttpResponse<String> response = get(proxy, "/plain");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("GET /plain HTTP/1.1").doesNotContain("X-Gatehouse-Verdict");
    }
}
