package dev.gatehouse.proxy;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request and response bodies stream through the proxy: the proxy runs in its own JVM with a 64 MB heap
 * ({@link StreamingProxyMain}) while a body several times that size goes up and another comes down. The
 * bytes are generated on the fly and checked by count and CRC-32 at the other end; nothing holds a whole
 * body. The proxy's heap peak during the transfers is reported (and must stay under the 64 MB it has).
 *
 * <p>256 MiB each way by default; {@code -Dgatehouse.streaming.bytes=1073741824} for the 1 GiB run:
 * {@code mvn -B -o -pl jetty-proxy -Dtest=none -Dit.test=StreamingIT -Dgatehouse.streaming.bytes=1073741824 verify}
 */
class StreamingIT {

    private static final long BYTES = Long.getLong("gatehouse.streaming.bytes", 256L << 20);
    private static final String HEAP = "64m";

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
    void uploadAndDownload_streamThroughASmallHeap() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        upstream.setExecutor(Executors.newFixedThreadPool(4));
        upstream.createContext("/upload", exchange -> {
            CRC32 crc = new CRC32();
            long count = 0;
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = exchange.getRequestBody()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    crc.update(buffer, 0, n);
                    count += n;
                }
            }
            byte[] answer = (count + " " + crc.getValue()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        upstream.createContext("/download", exchange -> {
            exchange.sendResponseHeaders(200, BYTES);
            try (OutputStream out = exchange.getResponseBody(); InputStream body = new Generated(BYTES)) {
                body.transferTo(out);
            }
        });
        upstream.start();
        PrintStream control = startProxy(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()));
        BufferedReader replies = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        int port = Integer.parseInt(expectLine(replies, "PORT ").substring(5));
        control.println("RESET");
        expectLine(replies, "OK");

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long started = System.nanoTime();
        HttpResponse<String> uploaded = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(BYTES)), BYTES))
                        .timeout(Duration.ofMinutes(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        long uploadMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(uploaded.statusCode()).isEqualTo(200);
        assertThat(uploaded.body()).isEqualTo(BYTES + " " + Generated.crc(BYTES));

        started = System.nanoTime();
        HttpResponse<InputStream> download = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/download"))
                .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
        CRC32 crc = new CRC32();
        long count = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = download.body()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
                count += n;
            }
        }
        long downloadMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(count).isEqualTo(BYTES);
        assertThat(crc.getValue()).isEqualTo(Generated.crc(BYTES));

        control.println("HEAP");
        String[] heap = expectLine(replies, "HEAP ").split(" ");
        long usedAfterGc = Long.parseLong(heap[1]);
        long peak = Long.parseLong(heap[2]);
        System.out.printf("StreamingIT: %d MiB up in %d ms, %d MiB down in %d ms; proxy heap (-Xmx%s): peak %d MiB, after GC %d MiB%n",
                BYTES >> 20, uploadMs, BYTES >> 20, downloadMs, HEAP, peak >> 20, usedAfterGc >> 20);
        assertThat(peak).as("the proxy's heap peak while %d MiB went each way", BYTES >> 20).isLessThan(64L << 20);
        assertThat(usedAfterGc).isLessThan(32L << 20);
        control.println("QUIT");
        assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private PrintStream startProxy(URI upstreamUri) throws IOException {
        proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                StreamingProxyMain.class.getName(), upstreamUri.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new PrintStream(proxy.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static String expectLine(BufferedReader replies, String prefix) throws IOException {
        for (String line; (line = replies.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("the proxy process ended before printing " + prefix.strip());
    }

    /** {@code size} deterministic bytes, made as they are read. */
    static final class Generated extends InputStream {
        private final long size;
        private long position;

        Generated(long size) {
            this.size = size;
        }

        static byte at(long i) {
            return (byte) (i * 31 + (i >>> 11));
        }

        static long crc(long size) {
            CRC32 crc = new CRC32();
            byte[] buffer = new byte[64 * 1024];
            try (Generated g = new Generated(size)) {
                for (int n; (n = g.read(buffer, 0, buffer.length)) > 0; ) {
                    crc.update(buffer, 0, n);
                }
            }
            return crc.getValue();
        }

        @Override
        public int read() {
            return position < size ? at(position++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = at(position + i);
            }
            position += n;
            return n;
        }

        @Override
        public void close() {
        }
    }
}
