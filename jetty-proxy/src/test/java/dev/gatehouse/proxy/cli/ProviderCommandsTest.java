package dev.gatehouse.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lookup --provider} and {@code prewarm} against a local server answering as IPIntel's and IPGeolocation's documents say. */
class ProviderCommandsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String IPINTEL = """
            {"ip": "20.204.24.249", "country_code": "IN", "asn": "AS8075", "as_name": "Microsoft Corporation", "is_tor_exit": false,
             "risk_score": 16, "threat_score": 22, "confidence_level": 100, "status": "safe", "verified_bot": true,
             "verified_bot_name": "ChatGPT-User", "verified_bot_type": "AI bot", "api_plan": "Ghost",
             "api_usage": {"sec_limit": "1/2", "min_limit": "1/60", "day_limit": "8/500"}, "response_ms": 2.9}
            """;

    private final TestEnv env = new TestEnv();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> body = new AtomicReference<>(IPINTEL);
    private final AtomicReference<String> lastQuery = new AtomicReference<>();
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            lastQuery.set(exchange.getRequestURI().getRawQuery());
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void lookup_provider_printsMappedSignals_andTheProvidersOwnValues() throws Exception {
        assertThat(env.run("lookup", "20.204.24.249", "--provider", "ipintel", "--base-url", url(), "--api-key", "k-123")).isZero();
        JsonNode json = MAPPER.readTree(env.out());
        assertThat(json.path("threat_score").path("value").asInt()).isEqualTo(22);
        assertThat(json.path("bot_verified_by").path("value").asText()).isEqualTo("provider");
        assertThat(json.path("answers").path("provider:ipintel").path("raw").path("status").asText()).isEqualTo("safe");
        assertThat(lastQuery.get()).isEqualTo("api_key=k-123");
        assertThat(env.out()).doesNotContain("k-123");
    }

    @Test
    void lookup_provider_badKey_isOneLineError_exit1() {
        status.set(403);
        body.set("{\"error\": \"Invalid API key\"}");
        assertThat(env.run("lookup", "20.204.24.249", "--provider", "ipintel", "--base-url", url(), "--api-key", "k-123")).isEqualTo(1);
        assertThat(env.err().strip()).isEqualTo("error: ipintel: 403 Invalid API key");
        assertThat(env.out()).isEmpty();
    }

    @Test
    void lookup_provider_rateLimited_isOneLineError_exit1() {
        status.set(429);
        body.set("{\"error\": \"Rate limit exceeded\"}");
        assertThat(env.run("lookup", "20.204.24.249", "--provider", "ipintel", "--base-url", url(), "--api-key", "k")).isEqualTo(1);
        assertThat(env.err().strip()).isEqualTo("error: ipintel: 429 Rate limit exceeded");
    }

    @Test
    void lookup_provider_missingKey_exit2() {
        assertThat(env.run("lookup", "20.204.24.249", "--provider", "iptrust", "--base-url", url())).isEqualTo(2);
        assertThat(env.err()).contains("providers.iptrust.api-key");
    }

    @Test
    void prewarm_ipgeolocation_reportsCallsAndCredits(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ips.txt");
        Files.writeString(file, "# seen yesterday\n2.56.188.34\n10.0.0.1\n2.56.188.34\n");
        body.set("[{\"ip\": \"2.56.188.34\", \"security\": {\"threat_score\": 80, \"is_vpn\": true}}]");
        assertThat(env.run("prewarm", "--ips", file.toString(), "--provider", "ipgeolocation", "--base-url", url(), "--api-key", "k")).isZero();
        JsonNode line = MAPPER.readTree(env.out());
        assertThat(line.path("asked").asInt()).isEqualTo(1);
        assertThat(line.path("credits").asInt()).isEqualTo(2);
        assertThat(lastQuery.get()).contains("apiKey=k");
    }

    @Test
    void prewarm_dryRun_printsTheCostWithoutCalling(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ips.txt");
        Files.writeString(file, "2.56.188.34\n2.56.188.35\n");
        assertThat(env.run("prewarm", "--ips", file.toString(), "--provider", "ipgeolocation", "--dry-run")).isZero();
        assertThat(MAPPER.readTree(env.out()).path("max_credits").asInt()).isEqualTo(4);
        assertThat(lastQuery.get()).isNull();
    }

    @Test
    void prewarm_providerWithoutBulk_exit2() throws Exception {
        Path file = Files.createTempFile("ips", ".txt");
        Files.writeString(file, "2.56.188.34\n");
        assertThat(env.run("prewarm", "--ips", file.toString(), "--provider", "ipintel", "--api-key", "k")).isEqualTo(2);
        assertThat(env.err()).contains("no bulk endpoint");
    }
}
