package dev.gatehouse.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A provider that fails in every way that might carry its caller's API key back into Gatehouse's output:
 * it echoes the key (taken from the request, wherever the provider puts it) in error bodies, headers,
 * redirects and 200 fields. For the tests that the key never shows in logs, errors, metrics, explain,
 * {@code /readyz} or the {@code lookup} output.
 */
public final class Misbehaving implements AutoCloseable {

    /** How the next answers fail. */
    public enum Failure {
        REJECTED_401, FORBIDDEN_403, SERVER_ERROR_500, RATE_LIMITED_429, GARBAGE_200, KEY_IN_FIELDS_200, REDIRECT_302, CLOSED
    }

    private final HttpServer server;
    private final String key;
    private volatile Failure failure = Failure.SERVER_ERROR_500;

    public Misbehaving(String key) throws IOException {
        this.key = key;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "misbehaving-provider");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::answer);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void fail(Failure failure) {
        this.failure = failure;
    }

    private void answer(HttpExchange exchange) throws IOException {
        String echo = key + " " + URLEncoder.encode(key, StandardCharsets.UTF_8) + " " + exchange.getRequestURI();
        String json = "{\"error\": \"bad key " + echo + "\", \"message\": \"" + echo + "\", \"code\": \"" + key + "\"}";
        switch (failure) {
            case REJECTED_401 -> send(exchange, 401, json);
            case FORBIDDEN_403 -> send(exchange, 403, json);
            case SERVER_ERROR_500 -> send(exchange, 500, "upstream said: " + echo);
            case RATE_LIMITED_429 -> {
                exchange.getResponseHeaders().add("Retry-After", key);
                exchange.getResponseHeaders().add("X-RateLimit-Reset", key);
                send(exchange, 429, json);
            }
            case GARBAGE_200 -> send(exchange, 200, "<html>" + echo + "</html>");
            case KEY_IN_FIELDS_200 -> send(exchange, 200, "{\"success\": true, \"ip\": \"" + key + "\", \"isp\": \"" + echo
                    + "\", \"data\": {\"isp\": \"" + echo + "\", \"as_name\": \"" + key + "\"}, \"asn\": {\"company\": \"" + key + "\"}}");
            case REDIRECT_302 -> {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:1/next?key=" + key);
                send(exchange, 302, json);
            }
            case CLOSED -> exchange.close();
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
