package dev.gatehouse.proxy;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.TrustedProxies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several upstreams through the real proxy: JDK {@code HttpServer}s on ephemeral ports that answer with
 * their name; one is killed and revived on its port. Time is a hand-moved clock, active checks are run
 * by hand: nothing sleeps.
 */
class UpstreamsIT {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final MutableClock clock = new MutableClock();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private Named upstream(String name) throws IOException {
        return upstream(name, 0);
    }

    private Named upstream(String name, int port) throws IOException {
        Named upstream = new Named(name, port);
        closeables.add(upstream::stop);
        return upstream;
    }

    private GatehouseProxy proxy(UpstreamSettings settings) throws Exception {
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofMillis(500)).meterRegistry(GatehouseFactory.prometheus()).build();
        GatehouseProxy proxy = GatehouseProxy.builder()
                // no drain on close: an idle HTTP/1.1 keep-alive connection would hold the stop for the whole shutdown timeout
                .listeners(ListenerSettings.builder().listen(HostPort.parse("127.0.0.1:0", -1)).shutdownTimeout(Duration.ZERO).build())
                .admin(HostPort.parse("127.0.0.1:0", -1))
                .upstreams(settings)
                .upstreamTimeout(Duration.ofSeconds(5))
                .gatehouse(gatehouse)
                .trustedProxies(TrustedProxies.none())
                .clock(clock)
                .start();
        closeables.add(proxy);
        return proxy;
    }

    private HttpResponse<String> get(GatehouseProxy proxy, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(GatehouseProxy proxy, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/upload"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String readyz(GatehouseProxy proxy) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static UpstreamSettings settings(Named... upstreams) {
        UpstreamSettings.Builder b = UpstreamSettings.builder();
        for (Named u : upstreams) {
            b.target(u.uri());
        }
        return b.build();
    }

    private Map<String, Long> spread(GatehouseProxy proxy, int requests) throws Exception {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = get(proxy, "/r" + i);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            answers.add(response.body());
        }
        return answers.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    @Test
    void threeUpstreams_roundRobin() throws Exception {
        GatehouseProxy proxy = proxy(settings(upstream("a"), upstream("b"), upstream("c")));

        assertThat(spread(proxy, 9)).containsExactlyInAnyOrderEntriesOf(Map.of("a", 3L, "b", 3L, "c", 3L));
        assertThat(readyz(proxy)).isEqualTo("ready\n"); // all well: no detail line
    }

    @Test
    void killedUpstream_requestsRetriedOnTheOthers_backAfterBackoffOnceRevived() throws Exception {
        Named a = upstream("a");
        Named b = upstream("b");
        Named c = upstream("c");
        GatehouseProxy proxy = proxy(settings(a, b, c));
        int bPort = b.port();
        b.stop();

        // every request still answered: the one that met b is retried on the next upstream
        Map<String, Long> spread = spread(proxy, 6);
        assertThat(spread.keySet()).containsExactlyInAnyOrder("a", "c");
        assertThat(spread.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(6);
        assertThat(readyz(proxy)).contains("upstreams: 2/3 healthy", b.uri() + " down (connect failed");

        Named revived = upstream("b", bPort);
        assertThat(spread(proxy, 4).keySet()).as("still within the backoff").containsExactlyInAnyOrder("a", "c");
        clock.advance(UpstreamSettings.Health.DEFAULT_BACKOFF.plusSeconds(1));
        assertThat(spread(proxy, 6)).containsExactlyInAnyOrderEntriesOf(Map.of("a", 2L, "b", 2L, "c", 2L));
        assertThat(revived.requests.get()).isEqualTo(2);
        assertThat(readyz(proxy)).isEqualTo("ready\n");
    }

    @Test
    void postToADeadUpstream_retriedWithItsWholeBody() throws Exception {
        URI dead = deadUrl();
        Named alive = upstream("alive");
        GatehouseProxy proxy = proxy(UpstreamSettings.builder().target(dead).target(alive.uri()).build());

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = post(proxy, "payload-" + i);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(alive.bodies).contains("payload-" + i);
        }
    }

    @Test
    void upstreamThatReadTheRequestThenFailed_isNotRetried() throws Exception {
        try (ServerSocket breaker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!breaker.isClosed()) {
                    try (Socket s = breaker.accept()) {
                        s.getInputStream().read(new byte[4096]); // reads the request, then hangs up without answering
                    } catch (IOException ignored) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Named good = upstream("good");
            GatehouseProxy proxy = proxy(UpstreamSettings.builder()
                    .target(URI.create("http://127.0.0.1:" + breaker.getLocalPort())).target(good.uri()).build());

            HttpResponse<String> first = post(proxy, "once only"); // round-robin starts with the breaker

            assertThat(first.statusCode()).isEqualTo(502);
            assertThat(good.requests.get()).isZero();
        }
    }

    @Test
    void allUpstreamsDown_503() throws Exception {
        GatehouseProxy proxy = proxy(UpstreamSettings.builder().target(deadUrl()).target(deadUrl()).build());

        HttpResponse<String> first = get(proxy, "/");
        HttpResponse<String> second = get(proxy, "/");

        assertThat(first.statusCode()).isIn(502, 503); // both tried and refused
        assertThat(second.statusCode()).isEqualTo(503); // both now marked down: not even tried
        assertThat(second.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 10));
        assertThat(readyz(proxy)).contains("upstreams: 0/2 healthy");
    }

    @Test
    void singleUpstream_neverMarkedDown() throws Exception {
        URI dead = deadUrl();
        GatehouseProxy proxy = proxy(UpstreamSettings.of(dead));

        assertThat(get(proxy, "/").statusCode()).isEqualTo(502);
        assertThat(get(proxy, "/").statusCode()).as("tried again, not 503").isEqualTo(502);
    }

    @Test
    void activeChecks_takeAnUnhealthyUpstreamOutAndBringItBack() throws Exception {
        Named a = upstream("a");
        Named b = upstream("b");
        GatehouseProxy proxy = proxy(settings(a, b).withHealth(new UpstreamSettings.Health(Duration.ofSeconds(10), "/healthz",
                Duration.ofHours(1), Duration.ofSeconds(2), 2, 2)));
        b.healthStatus.set(500);

        proxy.healthCheck().checkAll().join();
        assertThat(spread(proxy, 4).keySet()).as("one failed check is not enough").containsExactlyInAnyOrder("a", "b");
        proxy.healthCheck().checkAll().join();
        assertThat(spread(proxy, 4)).containsExactlyEntriesOf(Map.of("a", 4L));
        assertThat(readyz(proxy)).contains(b.uri() + " down (health check: GET /healthz answered 500)");

        b.healthStatus.set(200);
        proxy.healthCheck().checkAll().join();
        assertThat(spread(proxy, 2)).containsExactlyEntriesOf(Map.of("a", 2L));
        proxy.healthCheck().checkAll().join();
        assertThat(spread(proxy, 4)).containsExactlyInAnyOrderEntriesOf(Map.of("a", 2L, "b", 2L));
    }

    @Test
    void preserveHost_true_upstreamSeesTheClientsHost() throws Exception {
        Named a = upstream("a");
        GatehouseProxy proxy = proxy(settings(a));

        get(proxy, "/");

        assertThat(a.lastHost.get()).isEqualTo("127.0.0.1:" + proxy.port());
        assertThat(a.lastForwardedHost.get()).isEqualTo("127.0.0.1:" + proxy.port());
    }

    @Test
    void preserveHost_false_upstreamSeesItsOwnAuthority() throws Exception {
        Named a = upstream("a");
        GatehouseProxy proxy = proxy(settings(a).withPreserveHost(false));

        get(proxy, "/");

        assertThat(a.lastHost.get()).isEqualTo("127.0.0.1:" + a.port());
        assertThat(a.lastForwardedHost.get()).as("the original stays in X-Forwarded-Host").isEqualTo("127.0.0.1:" + proxy.port());
    }

    private static URI deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    /** A JDK HttpServer that answers with its name, keeps what it saw, and a {@code /healthz} whose status the test sets. */
    static final class Named {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger healthStatus = new AtomicInteger(200);
        final AtomicReference<String> lastHost = new AtomicReference<>();
        final AtomicReference<String> lastForwardedHost = new AtomicReference<>();
        final List<String> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
        private final HttpServer server;

        Named(String name, int port) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            server.createContext("/", exchange -> {
                byte[] answer;
                if (exchange.getRequestURI().getPath().equals("/healthz")) {
                    exchange.sendResponseHeaders(healthStatus.get(), -1);
                    exchange.close();
                    return;
                }
                requests.incrementAndGet();
                lastHost.set(exchange.getRequestHeaders().getFirst("Host"));
                lastForwardedHost.set(exchange.getRequestHeaders().getFirst("X-Forwarded-Host"));
                try (InputStream in = exchange.getRequestBody()) {
                    bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                answer = name.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + port());
        }

        void stop() {
            server.stop(0);
        }
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-30T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
