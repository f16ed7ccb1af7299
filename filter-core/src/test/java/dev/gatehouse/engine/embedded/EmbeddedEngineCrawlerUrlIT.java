package dev.gatehouse.engine.embedded;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A crawler range file fetched from a URL in the vendor's format (a real HTTP server on a loopback port). */
class EmbeddedEngineCrawlerUrlIT {

    private static final String COMMON = "crawlers/google/common-crawlers.json";

    private HttpServer server;
    private final AtomicReference<String> body = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/static/crawling/ipranges/common-crawlers.json", exchange -> {
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
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

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/static/crawling/ipranges/common-crawlers.json");
    }

    private static Signals.SourceStatus status(EmbeddedEngine e) {
        return e.sources().stream().filter(s -> s.name().equals("embedded:" + COMMON)).findFirst().orElseThrow();
    }

    @Test
    void refresh_googleRangeUrl_newRangesThenServerErrorKeepsThem() {
        body.set("{\"creationTime\": \"2026-09-01T12:00:00.000000\", \"prefixes\": [{\"ipv4Prefix\": \"1.2.3.0/24\"}]}");
        try (EmbeddedEngine e = EmbeddedEngine.builder().only(COMMON).url(COMMON, url()).build()) {
            assertThat(e.lookup(IpAddress.parse("1.2.3.4")).string(Signal.BOT_NAME)).isEqualTo("Googlebot");
            assertThat(status(e).dataAsOf()).isEqualTo(Instant.parse("2026-09-01T12:00:00Z"));

            body.set("{\"creationTime\": \"2026-09-02T12:00:00.000000\", \"prefixes\": [{\"ipv4Prefix\": \"5.6.7.0/24\"}]}");
            e.refresh();
            assertThat(e.lookup(IpAddress.parse("5.6.7.8")).string(Signal.BOT_VERIFIED_BY)).isEqualTo("ip_range");
            assertThat(e.lookup(IpAddress.parse("1.2.3.4")).value(Signal.BOT_NAME)).isNull();

            status.set(503);
            e.refresh();
            assertThat(e.lookup(IpAddress.parse("5.6.7.8")).string(Signal.BOT_NAME)).isEqualTo("Googlebot");
            assertThat(status(e).problem()).contains("HTTP 503").contains("still serving data of 2026-09-02T12:00:00Z");
        }
    }
}
