package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.challenge.ChallengeSettings;
import dev.gatehouse.challenge.Challenger;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.testing.HeadlessChromium;
import dev.gatehouse.testing.Services;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code action: challenge} through the real proxy, in front of a real upstream: a real headless
 * Chromium solves the page and reaches the upstream; a client without JavaScript never does; the verify
 * endpoint refuses an answer replayed from another network. Loopback is a trusted proxy, so
 * {@code X-Forwarded-For} stands for clients on different networks.
 */
class ChallengeProxyIT {

    private static final String POLICY = """
            rules:
              - name: challenge-everyone
                action: challenge
                difficulty: 8
            default: allow
            """;
    private static final String HTML = "text/html,application/xhtml+xml,*/*;q=0.8";
    private static final String UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private GatehouseProxy proxy;

    @BeforeEach
    void start() throws Exception {
        EchoUpstream upstream = EchoUpstream.start(new InetSocketAddress("127.0.0.1", 0));
        closeables.add(upstream);
        PrometheusMeterRegistry registry = GatehouseFactory.prometheus();
        Challenger challenger = Challenger.create(ChallengeSettings.custom().secret("challenge-proxy-it-secret-0123456789")
                .difficulty(8).maxFailures(3).build(), registry);
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine())
                .policy(PolicyLoader.builder().meterRegistry(registry).build().parse(POLICY, "challenge.yaml"))
                .challenger(challenger).budget(Duration.ofMillis(200)).meterRegistry(registry).build();
        proxy = GatehouseProxy.builder()
                .listen(HostPort.parse("127.0.0.1:0", -1))
                .upstream(upstream.uri())
                .gatehouse(gatehouse)
                .trustedProxies(TrustedProxies.loopback())
                .prometheus(registry)
                .start();
        closeables.add(proxy);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void realBrowser_solvesTheChallengeAndReachesTheUpstream() throws Exception {
        Path chromium = Services.requireCommand("chromium"); // skipped locally without it, a failure in CI
        try (HeadlessChromium browser = HeadlessChromium.start(chromium);
             HeadlessChromium.Tab tab = browser.open("http://127.0.0.1:" + proxy.port() + "/hello?x=1")) {
            String page = tab.awaitText("GET /hello?x=1 HTTP", Duration.ofSeconds(60));
            // the upstream saw the original method, path and query, with the pass cookie and the verdict
            assertThat(page).contains("gatehouse_pass=").containsIgnoringCase("X-Gatehouse-Verdict: challenge");
            // the pass holds for the next page without a new challenge
            try (HeadlessChromium.Tab second = browser.open("http://127.0.0.1:" + proxy.port() + "/second")) {
                assertThat(second.awaitText("GET /second HTTP", Duration.ofSeconds(20))).contains("gatehouse_pass=");
            }
        }
    }

    @Test
    void clientWithoutJavaScript_neverReachesTheUpstream() throws Exception {
        HttpResponse<String> curl = get("/hello", "User-Agent", "curl/8.5.0", "Accept", "*/*");
        assertThat(curl.statusCode()).isEqualTo(403);
        assertThat(curl.body()).contains("browser").doesNotContain("GET /hello HTTP");

        HttpResponse<String> api = get("/api/items", "User-Agent", "python-requests/2.32", "Accept", "application/json");
        assertThat(api.statusCode()).isEqualTo(403);
        assertThat(api.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(api.body()).contains("\"verdict\":\"challenge\"").contains("web browser is required");

        // a script that asks for HTML gets the page, and keeps getting it (never the upstream), until its network is cut off
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> page = get("/hello", "User-Agent", UA, "Accept", HTML, "X-Forwarded-For", "198.51.100.20");
            assertThat(page.statusCode()).isEqualTo(403);
            assertThat(page.body()).contains("new Worker").contains("<noscript>").doesNotContain("GET /hello HTTP");
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                    assertThat(csp).contains("default-src 'none'").contains("script-src 'nonce-"));
            assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        }
        HttpResponse<String> loop = get("/hello", "User-Agent", UA, "Accept", HTML, "X-Forwarded-For", "198.51.100.21");
        assertThat(loop.statusCode()).isEqualTo(403);
        assertThat(loop.body()).contains("Too many failed browser checks").doesNotContain("new Worker");

        HttpResponse<String> head = get("/robots.txt", "User-Agent", "curl/8.5.0", "Accept", "*/*");
        assertThat(head.statusCode()).as("robots.txt is never challenged").isEqualTo(200);
    }

    @Test
    void verify_answerReplayedFromAnotherNetwork_isRefused_andFromItsOwnSetsThePass() throws Exception {
        HttpResponse<String> page = get("/docs?a=1", "User-Agent", UA, "Accept", HTML, "X-Forwarded-For", "203.0.113.7");
        Matcher nonce = Pattern.compile("data-nonce=\"([^\"]+)\"").matcher(page.body());
        assertThat(nonce.find()).isTrue();
        String query = "nonce=" + URLEncoder.encode(nonce.group(1), StandardCharsets.UTF_8) + "&answer=" + solve(nonce.group(1), 8)
                + "&return=" + URLEncoder.encode("/docs?a=1", StandardCharsets.UTF_8);

        HttpResponse<String> replayed = get(Challenger.VERIFY_PATH + "?" + query, "User-Agent", UA, "Accept", HTML,
                "X-Forwarded-For", "198.51.100.7");
        assertThat(replayed.statusCode()).isEqualTo(403);
        assertThat(replayed.headers().firstValue("Set-Cookie")).isEmpty();

        HttpResponse<String> verified = get(Challenger.VERIFY_PATH + "?" + query, "User-Agent", UA, "Accept", HTML,
                "X-Forwarded-For", "203.0.113.99");
        assertThat(verified.statusCode()).isEqualTo(303);
        assertThat(verified.headers().firstValue("Location")).hasValue("/docs?a=1");
        String cookie = verified.headers().firstValue("Set-Cookie").orElseThrow();
        cookie = cookie.substring(0, cookie.indexOf(';'));

        HttpResponse<String> through = get("/docs?a=1", "User-Agent", UA, "Accept", HTML, "X-Forwarded-For", "203.0.113.50",
                "Cookie", cookie);
        assertThat(through.statusCode()).isEqualTo(200);
        assertThat(through.body()).startsWith("GET /docs?a=1 HTTP");

        HttpResponse<String> elsewhere = get("/docs?a=1", "User-Agent", UA, "Accept", HTML, "X-Forwarded-For", "203.0.114.50",
                "Cookie", cookie);
        assertThat(elsewhere.statusCode()).as("the pass is bound to its /24").isEqualTo(403);
    }

    private static String solve(String nonce, int bits) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long n = 0; ; n++) {
            byte[] h = sha.digest((nonce + n).getBytes(StandardCharsets.UTF_8));
            int zeros = 0;
            for (byte b : h) {
                if (b == 0) {
                    zeros += 8;
                    continue;
                }
                zeros += Integer.numberOfLeadingZeros(b & 0xff) - 24;
                break;
            }
            if (zeros >= bits) {
                return Long.toString(n);
            }
        }
    }
}
