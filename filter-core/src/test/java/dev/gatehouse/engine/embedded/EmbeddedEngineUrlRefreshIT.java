package dev.gatehouse.engine.embedded;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.net.IpAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Feeds fetched from URLs (a real HTTP server on an ephemeral loopback port). */
class EmbeddedEngineUrlRefreshIT {

    private HttpServer server;
    private final AtomicReference<byte[]> body = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/torbulkexitlist", exchange -> {
            byte[] bytes = body.get();
            exchange.getResponseHeaders().add("Last-Modified", "Tue, 01 Sep 2026 10:00:00 GMT");
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
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/torbulkexitlist");
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Test
    void refresh_fromUrl_newDataThenServerErrorKeepsIt() throws IOException {
        body.set("185.220.101.1\n".getBytes(StandardCharsets.UTF_8));
        try (EmbeddedEngine e = EmbeddedEngine.builder().only("tor").url("tor", url()).crawlerRanges(sink -> { }).build()) {
            assertThat(e.lookup(IpAddress.parse("185.220.101.1")).isTrue(Signal.TOR)).isTrue();
            Signals.SourceStatus tor = e.sources().get(0);
            assertThat(tor.dataAsOf()).isEqualTo(Instant.parse("2026-09-01T10:00:00Z"));

            body.set(gzip("185.220.101.2\n")); // gzip recognised by its magic bytes
            e.refresh();
            assertThat(e.lookup(IpAddress.parse("185.220.101.2")).isTrue(Signal.TOR)).isTrue();
            assertThat(e.lookup(IpAddress.parse("185.220.101.1")).isTrue(Signal.TOR)).isFalse();

            status.set(503);
            LoadReport report = e.refresh().get(0);
            assertThat(report.failure()).contains("HTTP 503").contains("still serving");
            assertThat(e.lookup(IpAddress.parse("185.220.101.2")).isTrue(Signal.TOR)).isTrue();
            assertThat(e.sources().get(0).problem()).contains("HTTP 503");
        }
    }

    @Test
    void build_urlFailsAtStart_bundledCopyServed() {
        body.set(new byte[0]);
        status.set(404);
        try (EmbeddedEngine e = EmbeddedEngine.builder().only("tor").url("tor", url()).crawlerRanges(sink -> { }).build()) {
            assertThat(e.lookup(IpAddress.parse("204.8.96.141")).isTrue(Signal.TOR)).isTrue();
            assertThat(e.sources().get(0).problem()).contains("HTTP 404").contains("bundled:prefixes.bin.gz#tor");
        }
    }
}
