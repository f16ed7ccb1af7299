package dev.gatehouse.engine.provider;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A local server answering as a provider's document says (JDK {@code HttpServer}, port 0): each test
 * sets the next answer — a status, headers and body — or a misbehaviour (hang, close mid-body).
 */
final class FakeProvider implements AutoCloseable {

    /** What the server does with the next requests. */
    interface Responder {
        void respond(HttpExchange exchange) throws IOException;
    }

    record Seen(String method, String path, String query, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }
    }

    private final HttpServer server;
    private final AtomicReference<Responder> responder = new AtomicReference<>(json(200, "{}"));
    private final AtomicInteger requests = new AtomicInteger();
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);

    FakeProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-provider");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()), body));
            try {
                responder.get().respond(exchange);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void answer(Responder r) {
        responder.set(r);
    }

    void answer(int status, String body) {
        responder.set(json(status, body));
    }

    int requests() {
        return requests.get();
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    Seen last() {
        List<Seen> all = seen();
        return all.get(all.size() - 1);
    }

    static Responder json(int status, String body) {
        return json(status, body, Map.of());
    }

    static Responder json(int status, String body, Map<String, String> headers) {
        return exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        };
    }

    /** Accepts the request and never answers (until the server closes). */
    Responder hang() {
        return exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** Announces a body, sends half of it and closes the connection. */
    static Responder closeMidBody(String body) {
        return exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length * 2L);
            OutputStream out = exchange.getResponseBody();
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            exchange.getHttpContext().getServer(); // keep the reference; the close below cuts the body short
            exchange.close();
        };
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
