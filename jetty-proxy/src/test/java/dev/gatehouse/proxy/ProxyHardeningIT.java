package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request path as an attacker and an ordinary browser exercise it (issue 9 items 6–12): the real proxy
 * in front of a real Jetty upstream that echoes exactly what it received, driven by a raw socket client
 * so that requests no well-behaved client library would send can be sent.
 */
class ProxyHardeningIT {

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private PrometheusMeterRegistry registry;
    private URI upstream;

    /** Echoes the raw request target and headers after reading the whole body; {@code /slow} streams instead. */
    final class Upstream extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            if (request.getHttpURI().getPath().equals("/slow")) {
                stream(response, callback, 12, Duration.ofMillis(60));
                return true;
            }
            Content.Source.asString(request, StandardCharsets.UTF_8, new org.eclipse.jetty.util.Promise.Invocable.NonBlocking<>() {
                @Override
                public void succeeded(String body) {
                    StringBuilder text = new StringBuilder();
                    String query = request.getHttpURI().getQuery();
                    text.append("target=").append(request.getHttpURI().getPath()).append(query == null ? "" : "?" + query).append('\n');
                    for (HttpField field : request.getHeaders()) {
                        text.append(field.getName()).append(": ").append(field.getValue()).append('\n');
                    }
                    text.append("body=").append(body).append('\n');
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
                    Content.Sink.write(response, true, text.toString(), callback);
                }

                @Override
                public void failed(Throwable x) {
                    callback.failed(x);
                }
            });
            return true;
        }

        /** {@code chunks} pieces of 1 KiB, one every {@code every}: flowing, but longer in total than the idle timeout. */
        private void stream(Response response, Callback callback, int chunks, Duration every) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, String.valueOf(chunks * 1024L));
            scheduler.schedule(new Runnable() {
                int sent;

                @Override
                public void run() {
                    sent++;
                    boolean last = sent == chunks;
                    Runnable next = this;
                    response.write(last, ByteBuffer.wrap(new byte[1024]), Callback.from(() -> {
                        if (last) {
                            callback.succeeded();
                        } else {
                            scheduler.schedule(next, every.toMillis(), TimeUnit.MILLISECONDS);
                        }
                    }, callback::failed));
                }
            }, every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @BeforeEach
    void startUpstream() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Upstream());
        server.start();
        closeables.add(server::stop);
        upstream = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        registry = GatehouseFactory.prometheus();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        scheduler.shutdownNow();
    }

    private GatehouseProxy proxy(TrustedProxies trusted, Duration upstreamTimeout) throws Exception {
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofMillis(200)).meterRegistry(registry).build();
        GatehouseProxy proxy = GatehouseProxy.builder()
                .listen(HostPort.parse("127.0.0.1:0", -1))
                .upstream(upstream)
                .upstreamTimeout(upstreamTimeout)
                .gatehouse(gatehouse)
                .trustedProxies(trusted)
                .prometheus(registry)
                .start();
        closeables.add(proxy);
        return proxy;
    }

    private GatehouseProxy proxy(TrustedProxies trusted) throws Exception {
        return proxy(trusted, Duration.ofSeconds(10));
    }

    /** Sends {@code head} (CRLF line ends added), then {@code body} bytes, and reads until the proxy closes. */
    private static String exchange(GatehouseProxy proxy, String head, String body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((head.replace("\n", "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            in.transferTo(read);
            return read.toString(StandardCharsets.UTF_8);
        }
    }

    /** Like {@link #exchange} but reads only up to the end of the response head (a tunnel request may leave the connection open). */
    private static String exchangeHead(GatehouseProxy proxy, String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((head.replace("\n", "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            StringBuilder read = new StringBuilder();
            int c;
            while (!read.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                read.append((char) c);
            }
            return read.toString();
        }
    }

    private static String get(GatehouseProxy proxy, String target, String... headerLines) throws Exception {
        return exchange(proxy, "GET " + target + " HTTP/1.1\nHost: app.example\nConnection: close\n"
                + String.join("", java.util.Arrays.stream(headerLines).map(h -> h + "\n").toList()), "");
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    // ---- item 6: every spelling of X-Gatehouse-* is the proxy's alone

    @Test
    void forgedGatehouseHeaders_inAnySpelling_neverReachTheUpstream() throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.none());

        String response = get(proxy, "/", "X_Gatehouse_Bot: Googlebot", "x-gatehouse_verdict: forged", "X-Gatehouse-Explain: forged",
                "X-Gatehouse-Client-Ip: 203.0.113.1");

        assertThat(status(response)).isEqualTo(200);
        assertThat(response).contains("X-Gatehouse-Verdict: allow\n").doesNotContain("Googlebot").doesNotContain("forged")
                .doesNotContain("203.0.113.1").doesNotContainIgnoringCase("x_gatehouse");
    }

    // ---- item 7: Connection tokens cannot name Gatehouse's headers away

    @Test
    void connectionTokens_cannotRemoveGatehouseOrForwardingHeaders() throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.none());

        String response = exchange(proxy, "GET /hop HTTP/1.1\nHost: app.example\n"
                + "Connection: close, X-Gatehouse-Verdict, X-Gatehouse-Rule, X-Forwarded-For, X-Real-IP, X-Forwarded-Proto\n"
                + "X-Gatehouse-Verdict: allow-forged\n", "");

        assertThat(status(response)).isEqualTo(200);
        assertThat(response).contains("X-Gatehouse-Verdict: allow\n", "X-Gatehouse-Rule: default/allow\n",
                "X-Forwarded-For: 127.0.0.1\n", "X-Real-IP: 127.0.0.1\n", "X-Forwarded-Proto: http\n").doesNotContain("allow-forged");
    }

    // ---- item 8: forwarding headers say what Gatehouse knows, not what the client wrote

    @Test
    void forwardingHeaders_fromAnUntrustedPeer_areReplaced() throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.none());

        String response = get(proxy, "/", "X-Forwarded-For: 203.0.113.9", "X-Real-IP: 203.0.113.9", "X-Forwarded-Host: evil.example",
                "X-Forwarded-Proto: https", "X-Forwarded-Port: 443", "Forwarded: for=203.0.113.9;proto=https", "X_Real_IP: 203.0.113.9");

        assertThat(status(response)).isEqualTo(200);
        assertThat(response).contains("X-Forwarded-For: 127.0.0.1\n", "X-Real-IP: 127.0.0.1\n", "X-Forwarded-Host: app.example\n",
                "X-Forwarded-Proto: http\n").doesNotContain("203.0.113.9").doesNotContain("evil.example")
                .doesNotContain("X-Forwarded-Port").doesNotContain("https");
        assertThat(response.lines().filter(l -> l.startsWith("Forwarded:"))).singleElement()
                .satisfies(l -> assertThat(l).contains("for=\"127.0.0.1\"").contains("proto=http"));
    }

    @Test
    void forwardingHeaders_fromATrustedProxy_areKeptAndExtended() throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.loopback());

        String response = get(proxy, "/", "X-Forwarded-For: 198.51.100.7", "X-Real-IP: 10.9.9.9", "X-Forwarded-Host: www.example",
                "X-Forwarded-Proto: https");

        assertThat(status(response)).isEqualTo(200);
        assertThat(response).contains("X-Forwarded-For: 198.51.100.7, 127.0.0.1\n", "X-Real-IP: 198.51.100.7\n",
                "X-Forwarded-Host: www.example\n", "X-Forwarded-Proto: https\n").doesNotContain("10.9.9.9");
    }

    // ---- item 9: ordinary URLs browsers send reach the application unchanged

    @ParameterizedTest
    @ValueSource(strings = {"/fonts?family=Roboto|Open+Sans", "/q?a={x}", "/q?a=%7Bx%7D&b=}", "/q?x=1^2", "/q?s=\"quoted\"",
            "/q?bad=%zz", "/q?pct=%", "/q?pct=100%&x=%2", "/q?a=%C3%A9&b=%E9", "/collect?v=1&dl=https%3A%2F%2Fa.example%2F%3Fq%3D%7C",
            "/q?a=[1]&b=`c`", "/q?", "/q?a=b?c=d", "/q?&&=&", "/p%7Cq?x=|", "/a/b;jsessionid=1?x=|"})
    void unusualQueries_reachTheUpstreamAsSent(String target) throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.none());

        String response = get(proxy, target);

        assertThat(status(response)).as(response).isEqualTo(200);
        String received = response.lines().filter(l -> l.startsWith("target=")).findFirst().orElseThrow();
        assertThat(received).isEqualTo("target=" + target);
    }

    @Test
    void unusualQueries_logNoStackTrace() throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.none());
        java.io.PrintStream stderr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(logged, true, StandardCharsets.UTF_8));
        try {
            for (String target : List.of("/q?a=|", "/q?bad=%zz", "/q?pct=%", "/q?a={x}^\"y\"")) {
                assertThat(status(get(proxy, target))).isEqualTo(200);
            }
            org.slf4j.LoggerFactory.getLogger(ProxyHardeningIT.class).warn("capture works");
        } finally {
            System.setErr(stderr);
        }

        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("capture works").doesNotContain("\tat ").doesNotContain("Exception");
    }

    // ---- item 10: a malformed chunked body is the client's fault

    @Test
    void malformedChunkedBody_answers400AndIsNoUpstreamError() throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.none());

        String response = exchange(proxy, "POST /upload HTTP/1.1\nHost: app.example\nTransfer-Encoding: chunked\n"
                + "Content-Type: text/plain\nConnection: close\n", "5\r\nhello\r\nzz-not-a-size\r\nxx\r\n0\r\n\r\n");

        assertThat(status(response)).isEqualTo(400);
        assertThat(registry.scrape()).doesNotContain("gatehouse_proxy_upstream_errors_total{");
    }

    @Test
    void wellFormedChunkedBody_isForwarded() throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.none());

        String response = exchange(proxy, "POST /upload HTTP/1.1\nHost: app.example\nTransfer-Encoding: chunked\n"
                + "Content-Type: text/plain\nConnection: close\n", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");

        assertThat(status(response)).isEqualTo(200);
        assertThat(response).contains("body=hello world\n");
    }

    // ---- item 11: a slow but flowing download is not cut

    @Test
    void slowButFlowingDownload_longerThanTheIdleTimeout_completes() throws Exception {
        // 12 chunks 60 ms apart (~720 ms in all), idle timeout 300 ms: the old whole-exchange timeout cut it at 300 ms.
        GatehouseProxy proxy = proxy(TrustedProxies.none(), Duration.ofMillis(300));

        String response = get(proxy, "/slow");

        assertThat(status(response)).isEqualTo(200);
        int bodyStart = response.indexOf("\r\n\r\n") + 4;
        assertThat(response.length() - bodyStart).isEqualTo(12 * 1024);
    }

    // ---- item 12: no tunnels, no echoes

    @ParameterizedTest
    @ValueSource(strings = {"TRACE / HTTP/1.1", "TRACE /anything?x=1 HTTP/1.1", "trace / HTTP/1.1"})
    void trace_answers405(String requestLine) throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.none());

        String response = exchangeHead(proxy, requestLine + "\nHost: app.example\nConnection: close\nCookie: secret=1\n");

        assertThat(status(response)).isEqualTo(405);
        assertThat(response).contains("Allow: ").doesNotContain("target=").doesNotContain("secret=1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CONNECT 127.0.0.1:22 HTTP/1.1", "CONNECT /tunnel HTTP/1.1"})
    void connect_isNeverTunnelled(String requestLine) throws Exception {
        GatehouseProxy proxy = proxy(TrustedProxies.none());

        // Jetty's HTTP/1.1 parser already refuses these (400); a CONNECT that reaches the handler gets 405 (UpstreamProxyTest).
        String response = exchangeHead(proxy, requestLine + "\nHost: 127.0.0.1:22\n");

        assertThat(status(response)).isBetween(400, 405);
    }
}
