package dev.gatehouse.proxy;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.settings.SettingsSources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fleet example's done-when through the real proxy: two proxies started from
 * {@code examples/fleet/gatehouse.yaml} (Redis store on 127.0.0.1:6379, 20 requests a minute per client)
 * in front of one upstream allow exactly 20 of a client's requests between them.
 */
class FleetExampleIT {

    private static final Path EXAMPLE = Path.of("..", "examples", "fleet", "gatehouse.yaml");

    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private HttpServer upstream;

    @BeforeEach
    void requireRedisAndStartUpstream() throws IOException {
        boolean up;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 6379), 500);
            up = true;
        } catch (IOException e) {
            up = false;
        }
        if (!up && "1".equals(System.getenv("GATEHOUSE_REQUIRE_SERVICES"))) {
            fail("Redis is not answering on 127.0.0.1:6379 and GATEHOUSE_REQUIRE_SERVICES=1 (CI starts it in .ci/run)");
        }
        assumeTrue(up, "skipped: no Redis on 127.0.0.1:6379 (start one with redis-server, or set GATEHOUSE_REQUIRE_SERVICES=1 to fail instead)");
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = "hello from the app\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    private GatehouseProxy proxy(String keyPrefix) throws Exception {
        // what `run --config examples/fleet/gatehouse.yaml --listen … --admin off --upstream …` does, on a key prefix of
        // this test's own (other test runs may share the Redis) and a Redis timeout for a loaded machine
        var overrides = SettingsSources.flat(Map.of(
                "listen", "127.0.0.1:0",
                "admin", "off",
                "upstream", "http://127.0.0.1:" + upstream.getAddress().getPort(),
                "budget", "5s",
                "rate-limit.redis.key-prefix", keyPrefix,
                "rate-limit.redis.timeout", "2s"), name -> "test override " + name, "test overrides");
        ProxyConfig config = ProxyConfigLoader.load(EXAMPLE, overrides, warning -> { }, System::getenv);
        GatehouseProxy proxy = GatehouseFactory.start(config);
        closeLater.add(proxy);
        return proxy;
    }

    @Test
    void twoProxiesFromTheExample_allowExactly20OfAClientsRequestsBetweenThem() throws Exception {
        String prefix = "gh-fleet-it-" + UUID.randomUUID();
        GatehouseProxy first = proxy(prefix);
        GatehouseProxy second = proxy(prefix);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        int allowed = 0;
        int limited = 0;
        for (int i = 0; i < 30; i++) {
            GatehouseProxy via = i % 2 == 0 ? first : second;
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.port() + "/"))
                            .header("X-Forwarded-For", "198.51.100.23")
                            .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")
                            .timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                allowed++;
            } else if (response.statusCode() == 429) {
                limited++;
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
            }
        }
        assertThat(allowed).isEqualTo(20);
        assertThat(limited).isEqualTo(10);

        HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second.port() + "/"))
                .header("X-Forwarded-For", "198.51.100.24").timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).as("another client has its own budget").isEqualTo(200);
    }
}
