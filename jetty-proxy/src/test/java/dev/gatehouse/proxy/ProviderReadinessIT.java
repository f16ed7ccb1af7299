package dev.gatehouse.proxy;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /readyz} through the real proxy started from settings text: a provider whose key the provider
 * rejects (a local server answering 401) shows as {@code off} while the proxy stays ready, and each stale
 * embedded data set has its line.
 */
class ProviderReadinessIT {

    private HttpServer upstream;
    private HttpServer ipbot;
    private final AtomicInteger ipbotCalls = new AtomicInteger();
    private GatehouseProxy proxy;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void servers() throws IOException {
        upstream = server(200, "hello from the app\n", null);
        ipbot = server(401, "{\"error\": \"INVALID_API_KEY\", \"message\": \"The API key is invalid or revoked.\"}", ipbotCalls);
    }

    private static HttpServer server(int status, String body, AtomicInteger calls) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", exchange -> {
            if (calls != null) {
                calls.incrementAndGet();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        s.start();
        return s;
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        upstream.stop(0);
        ipbot.stop(0);
    }

    @Test
    void aRejectedProviderKey_showsAsOffInReadyz_andTheProxyStaysReady() throws Exception {
        proxy = GatehouseFactory.start(ProxyConfigLoader.parse("""
                listen: 127.0.0.1:0
                admin: { listen: 127.0.0.1:0 }
                upstream: http://127.0.0.1:%d
                budget: 5s
                trusted-proxies: [loopback]
                providers:
                  ipbot:
                    enabled: true
                    api-key: rejected-key
                    base-url: http://127.0.0.1:%d
                    when: always
                """.formatted(upstream.getAddress().getPort(), ipbot.getAddress().getPort()), "gatehouse.yaml", Path.of(".")));

        HttpResponse<String> before = get(proxy.adminPort(), "/readyz", null);
        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(before.body()).startsWith("ready\n").contains("provider ipbot: up");

        HttpResponse<String> request = get(proxy.port(), "/", "93.184.216.34");
        assertThat(request.statusCode()).as("the request is decided without the provider").isEqualTo(200);
        assertThat(ipbotCalls.get()).as("the provider was asked").isPositive();

        HttpResponse<String> after = get(proxy.adminPort(), "/readyz", null);
        assertThat(after.statusCode()).as("a provider that is off leaves the proxy ready").isEqualTo(200);
        assertThat(after.body()).startsWith("ready\n").containsPattern("(?m)^provider ipbot: off \\(.*401.*\\)$")
                .doesNotContain("rejected-key");
    }

    @Test
    void eachStaleDataSet_isWarnedOnceAtStart_andHasOneReadyzLine() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(EmbeddedEngine.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            proxy = GatehouseFactory.start(ProxyConfigLoader.parse("""
                    listen: 127.0.0.1:0
                    admin: { listen: 127.0.0.1:0 }
                    upstream: http://127.0.0.1:%d
                    """.formatted(upstream.getAddress().getPort()), "gatehouse.yaml", Path.of(".")));
        } finally {
            log.removeHandler(handler);
        }
        // the proxy serves the bundled data: the same data sets are stale for an engine on it (the bundle only ages)
        List<String> expected = EmbeddedEngine.loadDefault().staleness().stream().map(EmbeddedEngine.Staleness::warning).toList();
        List<String> staleWarnings = logged.stream().filter(m -> m != null && m.contains(" stale")).toList();
        if (expected.size() > EmbeddedEngine.STALE_LINES_MAX) {
            assertThat(staleWarnings).as("one start-up summary line for an aged bundle").hasSize(1);
            expected.forEach(line -> assertThat(staleWarnings.get(0)).contains(line.split(" ")[3]));
        } else {
            assertThat(staleWarnings).as("one start-up warning per stale data set").containsExactlyInAnyOrderElementsOf(expected);
        }

        HttpResponse<String> readyz = get(proxy.adminPort(), "/readyz", null);
        assertThat(readyz.statusCode()).isEqualTo(200);
        List<String> staleLines = readyz.body().lines().filter(l -> l.startsWith("embedded data set ")).toList();
        assertThat(staleLines).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(readyz.body()).doesNotContain("provider ");
    }

    private HttpResponse<String> get(int port, String path, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36");
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
