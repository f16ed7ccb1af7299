package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upstream rows of the fault matrix in {@code docs/reliability.md} that {@link GatehouseProxyIT}
 * (gone: 502, silent: 504) and {@link ProxyHardeningIT} (slow but flowing) do not hold: an upstream
 * that sends its headers and part of the body, then stalls or closes. The client has already been sent
 * a 200 by then, so the only honest answer is to end its connection before the promised body is
 * complete — never to leave it hanging, never to pass a short body off as whole. The upstream is a
 * raw socket so the test controls each byte.
 */
class UpstreamFaultIT {

    static final Duration IDLE = Duration.ofMillis(500);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stopAll() throws Exception {
        release.countDown();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** Answers each connection with headers promising 100,000 bytes, sends 1,000, then stalls or closes. */
    private URI brokenUpstream(boolean close) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(server);
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    readHead(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(new byte[1_000]);
                    out.flush();
                    if (!close) {
                        release.await(30, TimeUnit.SECONDS); // stall with the connection open
                    }
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "broken-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Reads a request head (up to the blank line); the proxy's GET has no body. */
    private static void readHead(InputStream in) throws IOException {
        int state = 0; // how much of "\r\n\r\n" has been seen
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed before the request head ended");
            }
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : c == '\r' ? 1 : 0;
        }
    }

    private GatehouseProxy proxy(URI upstream, PrometheusMeterRegistry registry) throws Exception {
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofMillis(200)).meterRegistry(registry).build();
        GatehouseProxy proxy = GatehouseProxy.builder().listen(HostPort.parse("127.0.0.1:0", -1)).upstream(upstream)
                .upstreamTimeout(IDLE).gatehouse(gatehouse).trustedProxies(TrustedProxies.none()).prometheus(registry).start();
        closeables.add(proxy);
        return proxy;
    }

    @Test
    void upstreamStallsMidBody_clientConnectionEndsShortOfTheBody_neverHangs_countedAs504() throws Exception {
        assertEndsShort(brokenUpstream(false), "504");
    }

    @Test
    void upstreamClosesMidBody_clientConnectionEndsShortOfTheBody_countedAs502() throws Exception {
        assertEndsShort(brokenUpstream(true), "502");
    }

    private void assertEndsShort(URI upstream, String counted) throws Exception {
        PrometheusMeterRegistry registry = GatehouseFactory.prometheus();
        GatehouseProxy proxy = proxy(upstream, registry);
        try (Socket client = new Socket("127.0.0.1", proxy.port())) {
            client.setSoTimeout(20_000); // generous: the proxy's idle timeout is 500 ms
            client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: app.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[8192];
            boolean ended = false;
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    received.write(buffer, 0, n);
                }
                ended = true;
            } catch (SocketTimeoutException e) {
                ended = false; // the proxy left the client hanging
            } catch (IOException e) {
                ended = true; // reset: also an end
            }
            String text = received.toString(StandardCharsets.ISO_8859_1);
            assertThat(ended).as("the client's connection ends instead of hanging").isTrue();
            assertThat(text).startsWith("HTTP/1.1 200");
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            String head = text.substring(0, bodyStart).toLowerCase(java.util.Locale.ROOT);
            if (head.contains("transfer-encoding: chunked")) {
                assertThat(text).as("a short body is never passed off as whole (no last chunk)").doesNotEndWith("\r\n0\r\n\r\n");
            } else {
                assertThat(text.length() - bodyStart).as("a short body is never passed off as whole").isLessThan(100_000);
            }
            assertThat(registry.scrape()).contains("gatehouse_proxy_upstream_errors_total{status=\"" + counted + "\"} 1.0");
        }
    }
}
