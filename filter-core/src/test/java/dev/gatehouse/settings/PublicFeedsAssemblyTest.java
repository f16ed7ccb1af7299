package dev.gatehouse.settings;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.api.Signal;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.engine.embedded.LoadReport;
import dev.gatehouse.engine.embedded.PublicFeeds;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code data.public-feeds} in the assembly, without the network: the public feed URLs point at a local
 * server (or at a closed port), the user's {@code data.urls} replace theirs, the engine starts on the
 * bundled data without waiting for the fetch, and a feed that cannot be fetched keeps its bundled copy.
 */
class PublicFeedsAssemblyTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void publicFeeds_startOnTheBundle_thenServeTheFetchedFeeds_withTheUsersUrlsReplacingThePublicOnes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Queue<String> asked = new ConcurrentLinkedQueue<>();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            asked.add(exchange.getRequestURI().getPath());
            if (exchange.getRequestURI().getPath().equals("/public/tor")) {
                try {
                    release.await(20, TimeUnit.SECONDS); // start-up must not wait for this answer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = "8.8.4.4\n".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else {
                exchange.sendResponseHeaders(404, -1); // the bundled copy stays
            }
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Map<String, URI> feeds = new LinkedHashMap<>();
        PublicFeeds.urls().keySet().forEach(key -> feeds.put(key, URI.create(base + "/public/" + key)));
        GatehouseSettings.DataSettings data = new GatehouseSettings.DataSettings(null, null,
                Map.of("aws", URI.create(base + "/mine/aws.json")), true);

        try (EmbeddedEngine engine = GatehouseAssembly.embedded(data, registry, feeds)) {
            IpAddress listed = IpAddress.parse("8.8.4.4"); // public: special-use ranges never count as Tor
            assertThat(engine.lookup(listed).isTrue(Signal.TOR)).as("built on the bundle while the fetch waits").isFalse();
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.lookup(listed).isTrue(Signal.TOR));
            assertThat(asked).contains("/mine/aws.json", "/public/tor").doesNotContain("/public/aws");
        }
        assertThat(data.refreshInterval()).isEqualTo(GatehouseSettings.DataSettings.PUBLIC_FEEDS_REFRESH);
    }

    @Test
    void publicFeeds_unreachable_keepTheBundledData() throws IOException {
        Map<String, URI> feeds = new LinkedHashMap<>();
        PublicFeeds.urls().keySet().forEach(key -> feeds.put(key, URI.create("http://127.0.0.1:1/" + key))); // nothing listens on port 1
        GatehouseSettings.DataSettings data = GatehouseSettings.DataSettings.BUNDLED.withPublicFeedsDefault(true);

        try (EmbeddedEngine engine = GatehouseAssembly.embedded(data, registry, feeds)) {
            List<LoadReport> reports = engine.refresh(); // waits for the fetch the background one also makes
            LoadReport tor = reports.stream().filter(r -> r.dataSet().equals("tor")).findFirst().orElseThrow();
            assertThat(tor.failure()).as("the fetch failed, the bundled list still serves").contains("still serving data of 2026-08-22")
                    .contains("bundled");
            assertThat(engine.staleness()).extracting(EmbeddedEngine.Staleness::dataSet).contains("tor");
        }
    }

    @Test
    void publicFeeds_off_isTheBundledEngine() {
        assertThat(GatehouseSettings.DataSettings.BUNDLED.withPublicFeedsDefault(false).isBundled()).isTrue();
        assertThat(GatehouseSettings.DataSettings.BUNDLED.withPublicFeedsDefault(true).isBundled()).isFalse();
        assertThat(new GatehouseSettings.DataSettings(null, null, Map.of(), false).withPublicFeedsDefault(true).publicFeedsOn())
                .as("the user's false wins over the front end's default").isFalse();
    }
}
