package dev.gatehouse.proxy;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The five providers configured with one recognizable API key, against a provider that fails in every
 * way while echoing the key ({@link Misbehaving}): the key shows in no log line, no answer to the client,
 * no header sent upstream, and nothing the admin listener serves ({@code /readyz}, {@code /metrics},
 * {@code /v1/ip}, {@code /v1/explain}). docs/reliability.md, "Security tests".
 */
class ApiKeySecurityIT {

    private static final String KEY = "CANARY-key-7c2a5b";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final StringBuilder upstreamSaw = new StringBuilder();
    private HttpServer upstream;
    private Misbehaving provider;
    private GatehouseProxy proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
        if (provider != null) {
            provider.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Misbehaving.Failure.class)
    void providersFailingWhileEchoingTheKey_keyShowsNowhere(Misbehaving.Failure failure) throws Exception {
        provider = new Misbehaving(KEY);
        provider.fail(failure);
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            synchronized (upstreamSaw) {
                upstreamSaw.append(exchange.getRequestHeaders()).append('\n');
            }
            exchange.sendResponseHeaders(200, 3);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("ok\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        upstream.start();
        StringBuilder providers = new StringBuilder();
        for (String name : List.of("iptrust", "ipbot", "ipinsights", "ipgeolocation", "ipintel")) {
            providers.append("  ").append(name).append(":\n    enabled: true\n    api-key: ").append(KEY).append("\n    base-url: ")
                    .append(provider.baseUrl()).append("\n    when: always\n    timeout: 2s\n");
        }
        PrintStream stderr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        StringBuilder served = new StringBuilder();
        try {
            proxy = GatehouseFactory.start(ProxyConfigLoader.parse("""
                    listen: 127.0.0.1:0
                    admin: { listen: 127.0.0.1:0 }
                    upstream: http://127.0.0.1:%d
                    budget: 5s
                    trusted-proxies: [loopback]
                    providers:
                    %s""".formatted(upstream.getAddress().getPort(), providers), "gatehouse.yaml", Path.of(".")));
            for (String ip : List.of("203.0.113.9", "198.51.100.20")) {
                served.append(get(proxy.port(), "/page", ip));
            }
            for (String path : List.of("/readyz", "/healthz", "/metrics", "/v1/ip/203.0.113.10", "/v1/explain?ip=203.0.113.11&ua=curl/8.0",
                    "/v1/ip/203.0.113.9")) {
                served.append(get(proxy.adminPort(), path, null));
            }
            proxy.close();
            proxy = null;
        } finally {
            System.setErr(stderr);
        }

        String encoded = URLEncoder.encode(KEY, StandardCharsets.UTF_8);
        assertThat(served.toString()).as("answers to clients and the admin listener").contains("ready").doesNotContain(KEY)
                .doesNotContain(encoded);
        assertThat(upstreamSaw.toString()).as("headers sent upstream").isNotEmpty().doesNotContain(KEY);
        assertThat(logged.toString(StandardCharsets.UTF_8)).as("logs").doesNotContain(KEY).doesNotContain(encoded);
    }

    private String get(int port, String path, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        HttpResponse<String> response = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.headers().map() + "\n" + response.body() + "\n";
    }
}
