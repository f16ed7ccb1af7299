package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * WebSocket through the real proxy: a Jetty WebSocket echo upstream on an ephemeral port, the JDK's
 * {@code java.net.http.WebSocket} as the client, Gatehouse deciding with the test doubles.
 */
class WebSocketRelayIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private final io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = GatehouseFactory.prometheus();

    private GatehouseProxy proxy(UpstreamSettings upstreams) throws Exception {
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofMillis(500)).meterRegistry(registry).build();
        GatehouseProxy proxy = GatehouseProxy.builder()
                .listen(HostPort.parse("127.0.0.1:0", -1))
                .upstreams(upstreams)
                .upstreamTimeout(Duration.ofSeconds(5))
                .gatehouse(gatehouse)
                .trustedProxies(TrustedProxies.none())
                .start();
        closeables.add(proxy);
        return proxy;
    }

    private WebSocketUpstream upstream() throws Exception {
        WebSocketUpstream upstream = WebSocketUpstream.start();
        closeables.add(upstream);
        return upstream;
    }

    private Recorder connect(GatehouseProxy proxy, String path, String... headers) {
        Recorder recorder = new Recorder();
        WebSocket.Builder builder = http.newWebSocketBuilder().subprotocols("chat").connectTimeout(WAIT);
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        recorder.socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + path), recorder).join();
        closeables.add(recorder.socket::abort);
        return recorder;
    }

    @Test
    void allowedUpgrade_textBinaryAndPingFlowBothWays() throws Exception {
        WebSocketUpstream upstream = upstream();
        GatehouseProxy proxy = proxy(UpstreamSettings.of(upstream.uri()));

        Recorder client = connect(proxy, "/chat?room=1");

        assertThat(client.socket.getSubprotocol()).isEqualTo("chat");
        client.socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertThat(client.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
        // a message sent in two fragments comes back whole
        client.socket.sendText("hel", false).get(10, TimeUnit.SECONDS);
        client.socket.sendText("lo again", true).get(10, TimeUnit.SECONDS);
        assertThat(client.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("hello again");
        byte[] bytes = new byte[200_000]; // larger than websocket-core's default frame size
        new Random(7).nextBytes(bytes);
        client.socket.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
        assertThat(client.binary.poll(10, TimeUnit.SECONDS)).isEqualTo(bytes);
        client.socket.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        assertThat(client.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo("are you there");
        assertThat(upstream.pings.poll(10, TimeUnit.SECONDS)).isEqualTo("are you there");
    }

    @Test
    void allowedUpgrade_upstreamSeesGatehouseAndForwardingHeaders() throws Exception {
        WebSocketUpstream upstream = upstream();
        GatehouseProxy proxy = proxy(UpstreamSettings.of(upstream.uri()));

        connect(proxy, "/chat", "X-Gatehouse-Verdict", "forged", "X-Forwarded-For", "6.6.6.6", "Cookie", "session=abc");

        HttpFields headers = upstream.upgrades.poll(10, TimeUnit.SECONDS);
        assertThat(headers).isNotNull();
        assertThat(headers.getValuesList("X-Gatehouse-Verdict")).containsExactly("allow");
        assertThat(headers.get("X-Gatehouse-Rule")).isEqualTo("default/allow");
        assertThat(headers.getValuesList("X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(headers.get("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(headers.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(headers.get("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + proxy.port());
        assertThat(headers.get("Forwarded")).contains("for=\"127.0.0.1\"", "proto=http");
        assertThat(headers.get("Via")).isEqualTo("1.1 gatehouse");
        assertThat(headers.get("Host")).isEqualTo("127.0.0.1:" + proxy.port()); // preserve-host: true by default
        assertThat(headers.get("Cookie")).isEqualTo("session=abc");
        assertThat(headers.getValuesList("User-Agent")).hasSize(1);
    }

    @Test
    void allowedUpgrade_hostRewrittenWhenNotPreserved() throws Exception {
        WebSocketUpstream upstream = upstream();
        GatehouseProxy proxy = proxy(UpstreamSettings.of(upstream.uri()).withPreserveHost(false));

        connect(proxy, "/chat");

        HttpFields headers = upstream.upgrades.poll(10, TimeUnit.SECONDS);
        assertThat(headers.get("Host")).isEqualTo("127.0.0.1:" + upstream.port());
        assertThat(headers.get("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + proxy.port());
    }

    @Test
    void clientClose_reachesUpstreamWithItsCode() throws Exception {
        WebSocketUpstream upstream = upstream();
        GatehouseProxy proxy = proxy(UpstreamSettings.of(upstream.uri()));
        Recorder client = connect(proxy, "/chat");

        client.socket.sendClose(4001, "bye").get(10, TimeUnit.SECONDS);

        CloseStatus atUpstream = upstream.closesReceived.poll(10, TimeUnit.SECONDS);
        assertThat(atUpstream).isNotNull();
        assertThat(atUpstream.getCode()).isEqualTo(4001);
        assertThat(atUpstream.getReason()).isEqualTo("bye");
        assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo("4001 bye");
    }

    @Test
    void upstreamClose_reachesClientWithItsCode() throws Exception {
        WebSocketUpstream upstream = upstream();
        GatehouseProxy proxy = proxy(UpstreamSettings.of(upstream.uri()));
        Recorder client = connect(proxy, "/chat");

        client.socket.sendText("close:4002:done", true).get(10, TimeUnit.SECONDS);

        assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo("4002 done");
    }

    @Test
    void refusedUpgrade_getsTheRefusalAndNeverReachesUpstream() throws Exception {
        WebSocketUpstream upstream = upstream();
        GatehouseProxy proxy = proxy(UpstreamSettings.of(upstream.uri()));

        assertThatThrownBy(() -> connect(proxy, "/blocked"))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(403));
        assertThat(upstream.upgrades).isEmpty();
    }

    @Test
    void upstreamDown_getsA502() throws Exception {
        URI dead;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        GatehouseProxy proxy = proxy(UpstreamSettings.of(dead));

        assertThatThrownBy(() -> connect(proxy, "/chat"))
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(502));
        assertThat(registry.get("gatehouse.proxy.upstream.errors").tag("status", "502").counter().count()).isEqualTo(1.0);
    }

    @Test
    void oneUpstreamDown_upgradeGoesToTheOther() throws Exception {
        URI dead;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        WebSocketUpstream alive = upstream();
        GatehouseProxy proxy = proxy(UpstreamSettings.builder().target(dead).target(alive.uri()).build());

        for (int i = 0; i < 3; i++) {
            Recorder client = connect(proxy, "/chat");
            client.socket.sendText("ping " + i, true).get(10, TimeUnit.SECONDS);
            assertThat(client.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("ping " + i);
        }
        assertThat(proxy.upstreams().readiness()).contains(dead + " down (connect failed");
    }

    @Test
    void proxyStop_closesOpenWebSockets() throws Exception {
        WebSocketUpstream upstream = upstream();
        GatehouseProxy proxy = proxy(UpstreamSettings.of(upstream.uri()));
        Recorder client = connect(proxy, "/chat");
        client.socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertThat(client.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(registry.get("gatehouse.proxy.websockets.open").gauge().value()).isEqualTo(1.0);

        long started = System.nanoTime();
        proxy.close();
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1001 proxy shutting down");
        assertThat(tookMs).as("not held until an idle timeout").isLessThan(3_000);
    }

    @Test
    void plainRequest_stillProxied() throws Exception {
        try (EchoUpstream echo = EchoUpstream.start(new java.net.InetSocketAddress("127.0.0.1", 0))) {
            GatehouseProxy proxy = proxy(UpstreamSettings.of(echo.uri()));
            var response = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/x"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).startsWith("GET /x HTTP/1.1");
        }
    }

    /** Collects what the JDK client receives. */
    static final class Recorder implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> binary = new LinkedBlockingQueue<>();
        final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            bytes.writeBytes(chunk);
            if (last) {
                binary.add(bytes.toByteArray());
                bytes.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            pongs.add(StandardCharsets.UTF_8.decode(message).toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
