package dev.gatehouse.proxy;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gatehouse run} as systemd or {@code docker stop} ends it: a real process, a refusal, then SIGTERM
 * ({@link Process#destroy()}). The process exits by itself, with nothing but warnings on standard error (Jetty's
 * own shutdown thread used to log "Unable to destroy"), and the refusal's decision-log line is in the file.
 */
class SigtermIT {

    @TempDir
    Path dir;

    private HttpServer upstream;
    private Process proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.destroyForcibly();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void sigterm_drainsClosesAndKeepsTheDecisionLog() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        upstream.start();
        int port = freePort();
        Path log = dir.resolve("decisions.jsonl");
        Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:%d
                upstream: http://127.0.0.1:%d
                trusted-proxies: [loopback]
                budget: 5s
                shutdown-timeout: 5s
                data: { public-feeds: false }
                decision-log: { to: %s }
                """.formatted(port, upstream.getAddress().getPort(), log));
        Path stderr = dir.resolve("stderr.txt");
        proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.gatehouse.proxy.cli.GatehouseCli",
                "run", "--config", config.toString())
                .redirectError(stderr.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .start();

        HttpResponse<String> refused = getOnceListening(port);
        assertThat(refused.statusCode()).isEqualTo(403);
        String requestId = refused.headers().firstValue("X-Request-Id").orElseThrow();

        proxy.destroy(); // SIGTERM
        assertThat(proxy.waitFor(60, TimeUnit.SECONDS)).as("the proxy exits on SIGTERM").isTrue();

        assertThat(Files.readString(log)).contains("\"request_id\":\"" + requestId + "\"");
        String errors = Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(errors).doesNotContain("Unable to destroy").doesNotContain("Exception").doesNotContain(" ERROR ");
    }

    private HttpResponse<String> getOnceListening(int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("X-Forwarded-For", Doubles.TOR_IP).timeout(Duration.ofSeconds(20)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException notYetListening) {
                assertThat(proxy.isAlive()).as("the proxy process is running").isTrue();
                if (System.nanoTime() > deadline) {
                    throw notYetListening;
                }
                proxy.waitFor(200, TimeUnit.MILLISECONDS); // start-up: the embedded data loads first
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
