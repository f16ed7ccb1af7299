package dev.gatehouse.proxy;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.ratelimit.LocalRateLimitStore;
import dev.gatehouse.settings.GatehouseAssembly;
import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.testing.Flood;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood of distinct client addresses through the real proxy: a Jetty {@link GatehouseProxy} built by
 * {@link GatehouseAssembly} in front of an {@link EchoUpstream}, loopback trusted as a proxy so each
 * request's {@code X-Forwarded-For} is a new client, sent over a few keep-alive connections with
 * HTTP/1.1 pipelining (a raw socket per connection: a writer keeps up to {@link #WINDOW} requests in
 * flight, a reader takes the answers in order). Latency is from writing a request to reading its
 * answer, so it includes the wait behind the requests pipelined before it.
 *
 * <p>Checks every request is answered (200 or 429, never a 5xx), the rate-limit buckets stay within
 * {@code rate-limit.max-keys}, the retained heap grows by no more than the buckets allow, and a client
 * hammering through the flood stays limited.
 *
 * <p>Short form in {@code mvn verify}: 40,000 IPv4 and 10,000 IPv6 clients. The documented run:
 * <pre>
 * mvn -o -pl filter-core,jetty-proxy verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=ProxyFloodIT -Dfailsafe.failIfNoSpecifiedTests=false -Dgatehouse.flood=full
 * </pre>
 * (1,000,000 IPv4 and 200,000 IPv6 clients, {@code max-keys} 100,000). It prints a {@code FLOOD …} line.
 */
class ProxyFloodIT {

    static final String POLICY = """
            default: allow
            limits:
              per-client: {capacity: 60, refill: 60, period: 1h, key: ip_prefix, ip_prefix: {v4: 32, v6: 64}}
            rules:
              - name: limit-everyone
                action: rate_limit
                limit: per-client
            """;
    static final int CONNECTIONS = 4;
    static final int WINDOW = 16;
    static final int ATTACK_EVERY = 50;
    static final String HAMMERING = "81.2.69.162";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES) // the full run; the short form takes seconds
    void floodOfDistinctClientsThroughTheProxy_staysWithinTheBounds_andTheAttackerStaysLimited() throws Exception {
        int ipv4 = Flood.FULL ? Flood.IPV4 : Integer.getInteger("gatehouse.flood.ipv4", 40_000);
        int ipv6 = Flood.FULL ? Flood.IPV6 : Integer.getInteger("gatehouse.flood.ipv6", 10_000);
        long maxKeys = Flood.FULL ? 100_000 : 10_000;
        Path policy = Files.writeString(dir.resolve("flood.yaml"), POLICY);
        GatehouseSettings settings = GatehouseSettings.custom().policy(policy).policyReload(false)
                .trustedProxies(List.of("loopback"))
                .rateLimit(new GatehouseSettings.RateLimitSettings(GatehouseSettings.RateLimitStoreKind.LOCAL, maxKeys, null))
                .build();
        LocalRateLimitStore store = LocalRateLimitStore.builder().maximumBuckets(maxKeys).build();
        try (EchoUpstream upstream = EchoUpstream.start(new InetSocketAddress("127.0.0.1", 0));
             GatehouseAssembly.Assembled built = GatehouseAssembly.assemble(settings, GatehouseFactory.prometheus(), store,
                     getClass().getClassLoader());
             GatehouseProxy proxy = GatehouseProxy.builder().listen(HostPort.parse("127.0.0.1:0", -1)).upstream(upstream.uri())
                     .gatehouse(built.gatehouse()).clientIpResolver(built.resolver()).start()) {
            // warm up, then measure what the process retains before the flood
            run(proxy.port(), 2_000, 0, 1, false, new AtomicLongArray(600), new AtomicInteger(), new AtomicInteger(),
                    new Flood.Latencies(2_048), 9_000_000_000L);
            long heapBefore = Flood.retainedHeap();

            AtomicLongArray statuses = new AtomicLongArray(600);
            AtomicInteger hammeringAllowed = new AtomicInteger();
            AtomicInteger hammeringRequests = new AtomicInteger();
            AtomicLong maxStoreSize = new AtomicLong();
            List<Flood.Latencies> latencies = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < CONNECTIONS; c++) {
                int connection = c;
                Flood.Latencies mine = new Flood.Latencies((ipv4 + ipv6) / CONNECTIONS + 1_024);
                latencies.add(mine);
                runs.add(CompletableFuture.runAsync(() -> {
                    try {
                        run(proxy.port(), ipv4 / CONNECTIONS, ipv6 / CONNECTIONS, connection, true, statuses, hammeringAllowed, hammeringRequests,
                                mine, connection * 1_000_000_000L + 1_000_000);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new));
            while (!all.isDone()) { // the store's size, sampled while the flood runs
                maxStoreSize.accumulateAndGet(store.size(), Math::max);
                try {
                    all.get(200, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // sample again
                }
            }
            all.join();
            long elapsed = System.nanoTime() - start;
            pool.shutdown();
            maxStoreSize.accumulateAndGet(store.size(), Math::max);
            long heapAfter = Flood.retainedHeap();
            long rss = Flood.rss();
            Flood.Latencies merged = Flood.Latencies.merge(latencies);
            long answered = 0;
            StringBuilder byStatus = new StringBuilder();
            for (int s = 0; s < statuses.length(); s++) {
                if (statuses.get(s) > 0) {
                    answered += statuses.get(s);
                    byStatus.append(' ').append(s).append('=').append(statuses.get(s));
                }
            }
            System.out.println(Flood.figures("proxy (" + CONNECTIONS + " keep-alive connections, " + WINDOW + " pipelined each, max-keys "
                    + maxKeys + ")", answered, elapsed, merged, heapAfter, rss));
            System.out.printf(Locale.ROOT, "FLOOD proxy: statuses%s; heap before %s, after %s; buckets at most %d of %d;"
                            + " hammering attacker allowed %d of %d%n", byStatus, Flood.mib(heapBefore), Flood.mib(heapAfter),
                    maxStoreSize.get(), maxKeys, hammeringAllowed.get(), hammeringRequests.get());

            int perConnection = ipv4 / CONNECTIONS + ipv6 / CONNECTIONS;
            assertThat(answered).as("every request answered").isEqualTo((long) perConnection * CONNECTIONS + hammeringRequests.get());
            assertThat(statuses.get(200) + statuses.get(429)).as("only 200 and 429").isEqualTo(answered);
            assertThat(maxStoreSize.get()).as("rate-limit buckets").isLessThanOrEqualTo(maxKeys);
            long minutes = TimeUnit.NANOSECONDS.toMinutes(elapsed) + 1;
            assertThat(hammeringAllowed.get()).as("hammering attacker's allowed requests").isLessThanOrEqualTo((int) (60 + minutes));
            // buckets at their bound, generously 2 KiB each, plus slack for Jetty's pools and the JIT's heap data
            long bound = maxKeys * 2_048 + 48L * 1024 * 1024;
            assertThat(heapAfter - heapBefore).as("retained heap growth (bound %s)", Flood.mib(bound)).isLessThan(bound);
        }
    }

    /**
     * One keep-alive connection: {@code ipv4} then {@code ipv6} distinct clients, each one request, plus
     * the hammering attacker every {@link #ATTACK_EVERY} requests; pipelined {@link #WINDOW} deep.
     */
    static void run(int port, int ipv4, int ipv6, int connection, boolean attack, AtomicLongArray statuses, AtomicInteger hammeringAllowed,
                    AtomicInteger hammeringRequests, Flood.Latencies latencies, long v4Offset) throws IOException {
        Flood.Ipv4Source v4 = new Flood.Ipv4Source(v4Offset);
        int total = ipv4 + ipv6;
        BlockingQueue<long[]> inFlight = new ArrayBlockingQueue<>(WINDOW); // {sent nanos, 1 if the attacker}
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    while (true) {
                        long[] sent = inFlight.take();
                        if (sent[0] < 0) {
                            return;
                        }
                        int status = readResponse(in);
                        latencies.add(System.nanoTime() - sent[0]);
                        statuses.incrementAndGet(Math.min(status, statuses.length() - 1));
                        if (sent[1] == 1 && status == 200) {
                            hammeringAllowed.incrementAndGet();
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException("connection " + connection + ": " + e, e);
                }
            });
            try {
                for (int i = 0; i < total; i++) {
                    IpAddress client = i < ipv4 ? v4.next() : Flood.ipv6(connection * 10_000_000L + i);
                    send(out, client.toString(), inFlight, false);
                    if (attack && i % ATTACK_EVERY == 0) {
                        hammeringRequests.incrementAndGet();
                        send(out, HAMMERING, inFlight, true);
                    }
                }
                inFlight.put(new long[]{-1, 0});
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    private static void send(OutputStream out, String client, BlockingQueue<long[]> inFlight, boolean attacker)
            throws IOException, InterruptedException {
        byte[] request = ("GET /products HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0)"
                + " Gecko/20100101 Firefox/133.0\r\nAccept: text/html\r\nX-Forwarded-For: " + client + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        inFlight.put(new long[]{System.nanoTime(), attacker ? 1 : 0}); // blocks while WINDOW requests are unanswered
        out.write(request);
        out.flush();
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked body) and returns its status. */
    static int readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = 0;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        if (!chunked) {
            skip(in, length);
            return status;
        }
        for (long size = Long.parseLong(line(in).split(";")[0].trim(), 16); size > 0; size = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
            skip(in, size);
            line(in);
        }
        while (!line(in).isEmpty()) {
            // trailers
        }
        return status;
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed inside a body");
                }
                skipped = 1;
            }
            n -= skipped;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
