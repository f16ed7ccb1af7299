package dev.gatehouse.examples.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * The application behind the proxy: a page that shows what Gatehouse told it about the request (the
 * {@code X-Gatehouse-*} headers, {@code X-Forwarded-For}). JDK only, so it runs as a single file:
 *
 * <pre>{@code java examples/proxy-app/src/main/java/dev/gatehouse/examples/proxy/HelloApp.java 3000}</pre>
 */
public final class HelloApp implements AutoCloseable {

    private final HttpServer server;

    private HelloApp(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code 127.0.0.1:port} (0 for any free port). */
    public static HelloApp start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", HelloApp::hello);
        server.start();
        return new HelloApp(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void hello(HttpExchange exchange) throws IOException {
        Map<String, List<String>> seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("x-gatehouse-") || lower.equals("x-forwarded-for") || lower.equals("x-request-id")) {
                seen.put(name, values);
            }
        });
        StringBuilder html = new StringBuilder("<!doctype html><title>Hello</title><h1>Hello from the app</h1>")
                .append("<p>").append(escape(exchange.getRequestMethod())).append(' ')
                .append(escape(exchange.getRequestURI().getRawPath())).append("</p><dl>");
        seen.forEach((name, values) -> html.append("<dt>").append(escape(name)).append("</dt><dd>")
                .append(escape(String.join(", ", values))).append("</dd>"));
        byte[] body = html.append("</dl>\n").toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    public static void main(String[] args) throws IOException {
        HelloApp app = start(args.length > 0 ? Integer.parseInt(args[0]) : 3000);
        System.out.println("app on http://127.0.0.1:" + app.port() + " (put Gatehouse in front: see README.md)");
    }
}
