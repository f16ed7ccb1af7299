package dev.gatehouse.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.HostPort;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stopping with requests in flight, and the admin listener's index. */
class ProxyOperationsIT {

    private static final HostPort ANY_PORT = HostPort.parse("127.0.0.1:0", -1);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final CountDownLatch requestArrived = new CountDownLatch(1);
    private final CountDownLatch releaseResponse = new CountDownLatch(1);
    private HttpServer slowUpstream;

    /** An upstream whose {@code /slow} answers only when the test releases it. */
    @BeforeEach
    void startSlowUpstream() throws IOException {
        slowUpstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slowUpstream.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        slowUpstream.createContext("/", exchange -> {
            requestArrived.countDown();
            try {
                releaseResponse.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "finished\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        slowUpstream.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        releaseResponse.countDown();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        slowUpstream.stop(0);
    }

    private GatehouseProxy start(Duration shutdownTimeout, HostPort admin) throws Exception {
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofMillis(500)).meterRegistry(new SimpleMeterRegistry()).build();
        GatehouseProxy proxy = GatehouseProxy.builder()
                .listeners(ListenerSettings.builder().listen(ANY_PORT).shutdownTimeout(shutdownTimeout).build())
                .upstream(URI.create("http://127.0.0.1:" + slowUpstream.getAddress().getPort()))
                .gatehouse(gatehouse)
                .admin(admin)
                .start();
        closeables.add(proxy);
        return proxy;
    }

    /**
     * HTTP/1.1: the JDK 17 client fails every open stream on an HTTP/2 GOAWAY, even the graceful one
     * Jetty sends while draining (later JDKs finish them), so h2c would test the client, not the proxy.
     */
    private static CompletableFuture<HttpResponse<String>> getAsync(int port, String path) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static boolean refusesConnections(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void close_letsAnInFlightRequestFinish() throws Exception {
        GatehouseProxy proxy = start(Duration.ofSeconds(20), null);
        int port = proxy.port();
        CompletableFuture<HttpResponse<String>> inFlight = getAsync(port, "/slow");
        assertThat(requestArrived.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                proxy.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> refusesConnections(port)); // no new connections
        assertThat(stopping).isNotDone();                                               // but still draining
        releaseResponse.countDown();

        HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("finished\n");
        stopping.get(10, TimeUnit.SECONDS);
    }

    @Test
    void close_letsAnInFlightHttp2StreamFinish() throws Exception {
        GatehouseProxy proxy = start(Duration.ofSeconds(20), null);
        int port = proxy.port();
        org.eclipse.jetty.client.HttpClient h2c = new org.eclipse.jetty.client.HttpClient(
                new HttpClientTransportOverHTTP2(new HTTP2Client())); // h2c with prior knowledge
        h2c.start();
        closeables.add(h2c::stop);
        CompletableFuture<ContentResponse> inFlight = new CompletableResponseListener(
                h2c.newRequest("127.0.0.1", port).path("/slow").timeout(30, TimeUnit.SECONDS)).send();
        assertThat(requestArrived.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                proxy.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> refusesConnections(port));
        // Jetty cuts connections idle for 1 s once a stop begins; a stream waiting for its upstream must outlive that.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> !inFlight.isDone());
        releaseResponse.countDown();

        ContentResponse response = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(response.getVersion()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).isEqualTo("finished\n");
        stopping.get(10, TimeUnit.SECONDS);
    }

    @Test
    void close_pastTheShutdownTimeout_cutsTheRequest() throws Exception {
        GatehouseProxy proxy = start(Duration.ofMillis(300), null);
        CompletableFuture<HttpResponse<String>> inFlight = getAsync(proxy.port(), "/slow");
        assertThat(requestArrived.await(10, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        proxy.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).isLessThan(Duration.ofSeconds(10)); // the upstream would hold it for 30 s
        await().atMost(Duration.ofSeconds(10)).until(inFlight::isDone);
        assertThat(inFlight).satisfiesAnyOf(
                f -> assertThat(f).isCompletedExceptionally(),
                f -> assertThat(f.join().statusCode()).isGreaterThanOrEqualTo(500));
    }

    @Test
    void admin_root_listsTheEndpoints() throws Exception {
        GatehouseProxy proxy = start(Duration.ofSeconds(1), ANY_PORT);

        HttpResponse<String> response = getAsync(proxy.adminPort(), "/").get(10, TimeUnit.SECONDS);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(response.body());
        List<String> paths = new ArrayList<>();
        body.get("endpoints").forEach(e -> paths.add(e.get("method").asText() + " " + e.get("path").asText()));
        assertThat(paths).contains("GET /healthz", "GET /readyz", "GET /metrics", "GET /v1/ip/{ip}", "POST /v1/reload");
        assertThat(body.get("token_required").asBoolean()).isFalse();
    }
}
