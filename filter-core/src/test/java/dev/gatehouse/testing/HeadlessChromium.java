package dev.gatehouse.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven over the DevTools protocol with the JDK's
 * own WebSocket client: open a tab at a URL, then read what the page shows. {@code --dump-dom} is not
 * enough for the challenge page (it dumps before the Web Worker finishes and the browser navigates on),
 * so a test opens the tab and awaits the text it expects.
 *
 * <pre>{@code
 * Path binary = Services.requireCommand("chromium");   // skips locally, fails in CI when missing
 * try (HeadlessChromium browser = HeadlessChromium.start(binary);
 *      HeadlessChromium.Tab tab = browser.open("http://127.0.0.1:" + port + "/")) {
 *     tab.awaitText("hello", Duration.ofSeconds(20));
 * }
 * }</pre>
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private HeadlessChromium(Process process, Path profile, int port) {
        this.process = process;
        this.profile = profile;
        this.port = port;
    }

    /** Starts the browser with a fresh profile and a DevTools port the OS picks. */
    public static HeadlessChromium start(Path binary) throws IOException {
        Path profile = Files.createTempDirectory("gatehouse-chromium");
        Process process = new ProcessBuilder(List.of(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "about:blank"))
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        Path portFile = profile.resolve("DevToolsActivePort");
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !process.isAlive() || Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("chromium exited with " + process.exitValue() + ": " + Files.readString(profile.resolve("chromium.log")));
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
        return new HeadlessChromium(process, profile, port);
    }

    /** Opens a new tab at {@code url}. */
    public Tab open(String url) throws IOException, InterruptedException {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/new?"
                + URLEncoder.encode(url, StandardCharsets.UTF_8))).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 200) {
            throw new IllegalStateException("DevTools /json/new answered " + created.statusCode() + ": " + created.body());
        }
        String ws = JSON.readTree(created.body()).get("webSocketDebuggerUrl").asText();
        return new Tab(http, ws);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary profile is harmless
        }
    }

    /** One tab, spoken to over its DevTools WebSocket. */
    public static final class Tab implements AutoCloseable {
        private final WebSocket socket;
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

        private Tab(HttpClient http, String url) {
            this.socket = http.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
                private final StringBuilder partial = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        try {
                            JsonNode message = JSON.readTree(partial.toString());
                            CompletableFuture<JsonNode> waiting = message.has("id") ? pending.remove(message.get("id").asInt()) : null;
                            if (waiting != null) {
                                waiting.complete(message);
                            }
                        } catch (IOException e) {
                            // not ours to fail on: DevTools events we do not read
                        }
                        partial.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).join();
        }

        /** Evaluates {@code expression} in the page and returns its value as text ({@code ""} while the page is between documents). */
        public String evaluate(String expression) {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            String request = JSON.createObjectNode().put("id", id).put("method", "Runtime.evaluate")
                    .set("params", JSON.createObjectNode().put("expression", expression).put("returnByValue", true)).toString();
            socket.sendText(request, true).join();
            JsonNode reply = answer.orTimeout(10, TimeUnit.SECONDS).join();
            JsonNode value = reply.path("result").path("result").path("value");
            return value.isMissingNode() || value.isNull() ? "" : value.asText();
        }

        /** The page's address and visible text, {@code URL\nTEXT}. */
        public String snapshot() {
            return evaluate("location.href + '\\n' + (document.body ? document.body.innerText : '')");
        }

        /** Waits until the page's address or text contains {@code expected}; returns the snapshot that did. */
        public String awaitText(String expected, Duration atMost) {
            String[] last = {""};
            await().atMost(atMost).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
                last[0] = snapshot();
                return last[0].contains(expected);
            });
            return last[0];
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
