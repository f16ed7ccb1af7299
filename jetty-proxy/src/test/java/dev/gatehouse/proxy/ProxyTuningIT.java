package dev.gatehouse.proxy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.TrustedProxies;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ProxyTuning} changes how the proxy runs, never what it sends: the upstream sees the same
 * {@code Via} and {@code Forwarded} as from Jetty's stock {@code ProxyHandler}, the upstream client
 * shares the server's pool, and the whole handler chain declares itself non-blocking.
 */
class ProxyTuningIT {

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private URI upstream;

    @BeforeEach
    void startUpstream() throws Exception {
        EchoUpstream echo = EchoUpstream.start(new InetSocketAddress("127.0.0.1", 0));
        closeables.add(echo);
        upstream = echo.uri();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private int serve(Handler handler) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        closeables.add(server::stop);
        return connector.getLocalPort();
    }

    private UpstreamProxy upstreamProxy() {
        return new UpstreamProxy(upstream, Duration.ofSeconds(5), Duration.ofSeconds(5), null);
    }

    private int stockJettyProxy() throws Exception {
        ProxyHandler.Reverse stock = new ProxyHandler.Reverse(request -> HttpURI.build(request.getHttpURI())
                .scheme(upstream.getScheme()).host(upstream.getHost()).port(upstream.getPort()).asImmutable());
        stock.setViaHost("gatehouse");
        return serve(stock);
    }

    /** The raw request, the echo's answer (the headers the upstream received) back. */
    private static String get(int port, String... headerLines) throws IOException {
        StringBuilder request = new StringBuilder("GET /hello HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        request.append("\r\n");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static List<String> viaAndForwarded(String echoed) {
        return echoed.lines().filter(line -> line.startsWith("Via:") || line.startsWith("Forwarded:")).toList();
    }

    @Test
    void viaAndForwarded_areWhatJettysStockProxyHandlerSends() throws Exception {
        int tuned = serve(upstreamProxy());
        int stock = stockJettyProxy();

        for (String[] headers : new String[][] {
                {},
                {"Via: 1.0 fred, , 1.1 p.example"},
                {"Via: 1.0 fred", "Via: 1.1 other"},
        }) {
            List<String> fromTuned = viaAndForwarded(get(tuned, headers));
            List<String> fromStock = viaAndForwarded(get(stock, headers));

            assertThat(fromTuned).as("headers %s", List.of(headers)).isEqualTo(fromStock).hasSize(2);
        }
        assertThat(viaAndForwarded(get(tuned, "Via: 1.0 fred, , 1.1 p.example")))
                .containsExactly("Via: 1.0 fred, 1.1 p.example, 1.1 gatehouse",
                        "Forwarded: by=\"127.0.0.1\";for=\"127.0.0.1\";host=\"app.example\";proto=http");
    }

    @Test
    void forwarded_appendsToATrustedProxysElements() throws Exception {
        // through Gatehouse with loopback trusted: the client's Forwarded stays, Jetty's element is appended
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofMillis(200)).meterRegistry(GatehouseFactory.prometheus()).build();
        closeables.add(gatehouse);
        int port = serve(new GatehouseHandler(gatehouse, ClientIpResolver.trusting(TrustedProxies.loopback()), upstreamProxy()));

        assertThat(get(port, "Forwarded: for=192.0.2.60;proto=https"))
                .contains("Forwarded: for=192.0.2.60;proto=https, by=\"127.0.0.1\";for=\"127.0.0.1\";host=\"app.example\";proto=http\n");
    }

    @Test
    void upstreamClient_runsOnTheServersPool_andTheChainIsNonBlocking() throws Exception {
        UpstreamProxy proxy = upstreamProxy();
        Gatehouse gatehouse = Gatehouse.builder().engine(Doubles.engine()).policy(Doubles.policy())
                .budget(Duration.ofMillis(200)).meterRegistry(GatehouseFactory.prometheus()).build();
        closeables.add(gatehouse);
        GatehouseHandler handler = new GatehouseHandler(gatehouse, ClientIpResolver.trusting(TrustedProxies.none()), proxy);
        int port = serve(handler);

        assertThat(get(port)).startsWith("HTTP/1.1 200").contains("GET /hello HTTP/1.1");
        assertThat(proxy.getHttpClient().getExecutor()).isSameAs(proxy.getServer().getThreadPool());
        assertThat(proxy.getHttpClient().getTransport().getInvocationType()).isEqualTo(InvocationType.NON_BLOCKING);
        // Jetty runs a non-blocking chain on the selector thread instead of dispatching each request
        assertThat(handler.getInvocationType()).isEqualTo(InvocationType.NON_BLOCKING);
        assertThat(proxy.getServer().getInvocationType()).isEqualTo(InvocationType.NON_BLOCKING);
    }
}
