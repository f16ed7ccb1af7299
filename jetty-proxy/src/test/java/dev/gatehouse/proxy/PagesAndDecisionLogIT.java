package dev.gatehouse.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.decisionlog.DecisionLog;
import dev.gatehouse.decisionlog.DecisionLogSettings;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.testing.Services;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The answers the proxy makes itself, through the real proxy on ephemeral ports: one page (with the
 * request id, when to retry, no Jetty) for refusals and for upstream, routing and parsing errors; no
 * server banner anywhere; the request id kept from a trusted proxy only, sent upstream, shown on the page,
 * in {@code X-Request-Id} and in the decision-log line; client text never breaks the line or the page.
 */
class PagesAndDecisionLogIT {

    private static final String POLICY = """
            limits:
              one:
                capacity: 1
                refill: 1
                period: 1h
                key: ip
            rules:
              - name: block-admin
                when:
                  request.path: /blocked/**
                action: block
                message: "This page is not for you (rule {rule})."
              - name: limit-one
                when:
                  request.path: /limited
                action: rate_limit
                limit: one
            default: allow
            """;
    private static final Pattern PAGE_ID = Pattern.compile("<code id=\"request-id\">([^<]*)</code>");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private Path logFile() {
        return dir.resolve("decisions.jsonl");
    }

    /** A proxy in front of {@code upstream}; loopback trusted or not; the decision log in a file, every allow sampled. */
    private GatehouseProxy proxy(URI upstream, boolean trustLoopback) throws Exception {
        PrometheusMeterRegistry registry = GatehouseFactory.prometheus();
        DecisionLog log = DecisionLog.create(DecisionLogSettings.custom().to(logFile().toString()).sampleAllows(1).build(), registry);
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine())
                .policy(PolicyLoader.builder().meterRegistry(registry).build().parse(POLICY, "pages.yaml"))
                .budget(Duration.ofMillis(200)).meterRegistry(registry).decisionLog(log).build();
        GatehouseProxy proxy = GatehouseProxy.builder()
                .listen(HostPort.parse("127.0.0.1:0", -1))
                .admin(HostPort.parse("127.0.0.1:0", -1))
                .upstream(upstream)
                .upstreamTimeout(Duration.ofSeconds(5))
                .gatehouse(gatehouse)
                .trustedProxies(trustLoopback ? TrustedProxies.loopback() : TrustedProxies.none())
                .prometheus(registry)
                .start();
        closeables.add(proxy);
        return proxy;
    }

    private GatehouseProxy proxyToEcho(boolean trustLoopback) throws Exception {
        EchoUpstream upstream = EchoUpstream.start(new InetSocketAddress("127.0.0.1", 0));
        closeables.add(upstream);
        return proxy(upstream.uri(), trustLoopback);
    }

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String pageId(String html) {
        Matcher m = PAGE_ID.matcher(html);
        assertThat(m.find()).as("the page shows the request id: %s", html).isTrue();
        return m.group(1);
    }

    /** The decision-log line holding {@code requestId}, waiting for the writer thread. */
    private JsonNode logLine(String requestId) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            if (!Files.exists(logFile())) {
                return false;
            }
            for (String line : Files.readAllLines(logFile(), StandardCharsets.UTF_8)) {
                JsonNode node = JSON.readTree(line); // every line parses on its own
                if (requestId.equals(node.path("request_id").asText())) {
                    found[0] = node;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static void assertNoBanner(HttpResponse<?> response) {
        assertThat(response.headers().firstValue("Server")).as("Server header on %s", response.uri()).isEmpty();
        assertThat(response.headers().firstValue("X-Powered-By")).isEmpty();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void block_pageHeaderAndLogLineShowTheSameRequestId() throws Exception {
        GatehouseProxy proxy = proxyToEcho(false);
        HttpResponse<String> refused = get(proxy.port(), "/blocked/area", "Accept", "text/html", "User-Agent", "Mozilla/5.0 test");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertNoBanner(refused);
        String header = refused.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(pageId(refused.body())).isEqualTo(header);
        assertThat(refused.body()).contains("Access denied", "This page is not for you (rule block-admin).", "<style>")
                .doesNotContain("Jetty", "<script");
        JsonNode line = logLine(header);
        assertThat(line.path("verdict").asText()).isEqualTo("block");
        assertThat(line.path("rule").asText()).isEqualTo("rule/block-admin");
        assertThat(line.path("status").asInt()).isEqualTo(403);
        assertThat(line.path("path").asText()).isEqualTo("/blocked/area");
        assertThat(line.path("method").asText()).isEqualTo("GET");
        assertThat(line.path("client").asText()).isEqualTo("127.0.0.1");
        assertThat(line.path("ua").asText()).isEqualTo("Mozilla/5.0 test");
        assertThat(line.has("timings_ms")).isTrue();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void json_refusalCarriesTheRequestId() throws Exception {
        GatehouseProxy proxy = proxyToEcho(false);
        HttpResponse<String> refused = get(proxy.port(), "/blocked/x", "Accept", "application/json");
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = JSON.readTree(refused.body());
        assertThat(body.path("request_id").asText()).isEqualTo(refused.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(body.path("verdict").asText()).isEqualTo("block");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void rateLimit_pageSaysWhenToRetry() throws Exception {
        GatehouseProxy proxy = proxyToEcho(false);
        assertThat(get(proxy.port(), "/limited").statusCode()).isEqualTo(200);
        HttpResponse<String> limited = get(proxy.port(), "/limited", "Accept", "text/html");
        assertThat(limited.statusCode()).isEqualTo(429);
        String retryAfter = limited.headers().firstValue("Retry-After").orElseThrow();
        long seconds = Long.parseLong(retryAfter);
        assertThat(limited.body()).contains("Too many requests").containsPattern("Please try again in \\d+ (seconds|minutes|hours)\\.");
        assertThat(seconds).isPositive();
        assertNoBanner(limited);
        JsonNode json = JSON.readTree(get(proxy.port(), "/limited", "Accept", "application/json").body());
        assertThat(json.path("retry_after").asLong()).isPositive();
        assertThat(logLine(limited.headers().firstValue("X-Request-Id").orElseThrow()).path("verdict").asText()).isEqualTo("rate_limit");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void upstreamDown_502IsOurPage() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        GatehouseProxy proxy = proxy(URI.create("http://127.0.0.1:" + closedPort), false);
        HttpResponse<String> down = get(proxy.port(), "/anything", "Accept", "text/html");
        assertThat(down.statusCode()).isEqualTo(502);
        assertNoBanner(down);
        assertThat(down.body()).contains("Site unreachable", "Please try again in a moment.").doesNotContain("Jetty", "Powered", "Exception");
        String id = down.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(pageId(down.body())).isEqualTo(id);
        JsonNode line = logLine(id); // an allow, sampled (sample-allows: 1), logged with the status the client got
        assertThat(line.path("verdict").asText()).isEqualTo("allow");
        assertThat(line.path("status").asInt()).isEqualTo(502);
        JsonNode json = JSON.readTree(get(proxy.port(), "/anything", "Accept", "application/json").body());
        assertThat(json.path("status").asInt()).isEqualTo(502);
        assertThat(json.path("request_id").asText()).isNotBlank();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void noServerBanner_onAllowedRefusedNotFoundAndAdmin() throws Exception {
        GatehouseProxy proxy = proxyToEcho(false);
        HttpResponse<String> allowed = get(proxy.port(), "/ok");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertNoBanner(allowed);
        assertThat(allowed.headers().firstValue("X-Request-Id")).isPresent();
        assertNoBanner(get(proxy.port(), "/blocked/"));
        HttpResponse<String> health = get(proxy.adminPort(), "/healthz");
        assertNoBanner(health);
        HttpResponse<String> missing = get(proxy.adminPort(), "/no-such-endpoint");
        assertNoBanner(missing);
        assertThat(missing.body()).doesNotContain("Jetty");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void methodNotAllowed_andBadRequest_renderThePage() throws Exception {
        GatehouseProxy proxy = proxyToEcho(false);
        String trace = raw(proxy.port(), "TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(trace).startsWith("HTTP/1.1 405").contains("Method not allowed", "X-Request-Id:").doesNotContain("Jetty", "Server:");
        String bad = raw(proxy.port(), "GET /\u0001 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(bad).startsWith("HTTP/1.1 400").contains("Bad request").doesNotContain("Jetty", "Server:");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void requestId_fromAnUntrustedPeerIsReplaced_fromATrustedOneKept() throws Exception {
        GatehouseProxy untrusted = proxyToEcho(false);
        HttpResponse<String> replaced = get(untrusted.port(), "/echo", "X-Request-Id", "client-chosen-id");
        String id = replaced.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).isNotEqualTo("client-chosen-id").hasSize(26);
        assertThat(replaced.body()).contains("X-Request-Id: " + id).doesNotContain("client-chosen-id"); // what the upstream saw

        GatehouseProxy trusted = proxyToEcho(true);
        HttpResponse<String> kept = get(trusted.port(), "/echo", "X-Request-Id", "lb-7f3a-0001");
        assertThat(kept.headers().firstValue("X-Request-Id")).contains("lb-7f3a-0001");
        assertThat(kept.body()).contains("X-Request-Id: lb-7f3a-0001");
        HttpResponse<String> invalid = get(trusted.port(), "/echo", "X-Request-Id", "x".repeat(129));
        assertThat(invalid.headers().firstValue("X-Request-Id").orElseThrow()).hasSize(26);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void injection_inUaPathAndRequestId_neverBreaksTheLineOrThePage() throws Exception {
        GatehouseProxy proxy = proxyToEcho(true);
        String evilUa = "evil\"}\u2028{\"verdict\":\"allow\"} </script><script>alert(1)</script>\u00e9";
        String evilId = "id\"<script>alert(1)</script>";
        String response = raw(proxy.port(), "GET /blocked/%22%3C/script%3E%E2%80%A8?q=%0d%0a HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n"
                + "User-Agent: " + evilUa + "\r\nX-Request-Id: " + evilId + "\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 403");
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        assertThat(body).doesNotContain("<script>alert(1)</script>", "<script").contains("id&quot;&lt;script&gt;");
        JsonNode line = logLine(evilId); // a trusted proxy's visible-ASCII id is kept, and escaped on the way out
        assertThat(line.path("verdict").asText()).isEqualTo("block");
        assertThat(line.path("ua").asText()).contains("</script>");
        List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
        for (String l : lines) {
            assertThat(l).doesNotContain("\u2028", "\r").isASCII();
            assertThat(JSON.readTree(l).isObject()).isTrue();
        }
    }

    /** Sends {@code request} as bytes (UTF-8) and reads the whole answer. */
    private static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void realBrowser_rendersThePageWithTheRequestId() throws Exception {
        Path chromium = Services.requireCommand("chromium");
        GatehouseProxy proxy = proxyToEcho(false);
        for (String path : List.of("/blocked/page", "/limited", "/limited")) {
            String dom = dumpDom(chromium, "http://127.0.0.1:" + proxy.port() + path);
            if (path.equals("/limited") && dom.contains("Too many requests")) {
                assertThat(dom).containsPattern("Please try again in \\d+");
            }
            assertThat(dom).doesNotContain("Jetty");
        }
        String dom = dumpDom(chromium, "http://127.0.0.1:" + proxy.port() + "/blocked/page");
        assertThat(dom).contains("Access denied", "This page is not for you");
        String id = pageId(dom);
        assertThat(id).hasSize(26);
        assertThat(logLine(id).path("rule").asText()).isEqualTo("rule/block-admin");
        Path shot = dir.resolve("blocked.png");
        run(chromium, "--screenshot=" + shot, "--window-size=800,600", "http://127.0.0.1:" + proxy.port() + "/blocked/page");
        assertThat(Files.size(shot)).isGreaterThan(1000);
    }

    private String dumpDom(Path chromium, String url) throws Exception {
        return run(chromium, "--dump-dom", url);
    }

    private String run(Path chromium, String... args) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
