package dev.gatehouse.testing;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.net.IpAddress;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the flood tests share (filter path and proxy): distinct public client addresses, the sizes of
 * the short and the full run, latency figures, heap and RSS readings, and a fake IP Trust server.
 *
 * <p>Sizes: the short form (in {@code mvn verify}) floods 100,000 IPv4 and 20,000 IPv6 addresses; with
 * {@code -Dgatehouse.flood=full} 1,000,000 and 200,000 (the figures in {@code docs/reliability.md}).
 */
public final class Flood {

    /** {@code -Dgatehouse.flood=full} runs the documented sizes; anything else the short CI form. */
    public static final boolean FULL = "full".equals(System.getProperty("gatehouse.flood"));
    public static final int IPV4 = Integer.getInteger("gatehouse.flood.ipv4", FULL ? 1_000_000 : 100_000);
    public static final int IPV6 = Integer.getInteger("gatehouse.flood.ipv6", FULL ? 200_000 : 20_000);

    private Flood() {
    }

    /**
     * The {@code i}-th distinct public IPv4 address ({@code i} below 2^31): the counter times an odd
     * constant is a bijection modulo 2^32, so addresses never repeat yet spread over every /24 instead of
     * filling a few; values whose first octet is special-use or in a documentation block are stepped
     * over by the caller through {@link #ipv4Stream}.
     */
    static int scrambledV4(long i) {
        return (int) (i * 2_654_435_761L);
    }

    /** Whether the first octet is an ordinary unicast one (no private, loopback, CGNAT, link-local, multicast, documentation). */
    static boolean publicV4(int bits) {
        int a = bits >>> 24;
        int b = (bits >>> 16) & 0xFF;
        return a >= 1 && a <= 223 && a != 10 && a != 127 && a != 0 && !(a == 100 && b >= 64 && b < 128) && !(a == 169 && b == 254)
                && !(a == 172 && b >= 16 && b < 32) && !(a == 192) && !(a == 198 && (b == 18 || b == 19 || b == 51))
                && !(a == 203 && b == 0);
    }

    /** A source of distinct public IPv4 addresses, in a scrambled order; not thread-safe (one per driver). */
    public static final class Ipv4Source {
        private long next;

        /** Starts at {@code offset}: sources with offsets further apart than they are used never overlap. */
        public Ipv4Source(long offset) {
            this.next = offset;
        }

        public IpAddress next() {
            while (true) {
                int bits = scrambledV4(next++);
                if (publicV4(bits)) {
                    return IpAddress.ofV4(bits);
                }
            }
        }
    }

    /**
     * The {@code i}-th distinct public IPv6 address, each in its own /64 under 2a00::/16 (RIPE space):
     * the /64 number is the counter times an odd constant modulo 2^48, a bijection.
     */
    public static IpAddress ipv6(long i) {
        long hi = 0x2a00_0000_0000_0000L | ((i * 0x9E37_79B9_7F4A_7C15L) & 0x0000_FFFF_FFFF_FFFFL);
        return IpAddress.ofV6(hi, 0x1L + (i & 0xFFFF));
    }

    /** Request latencies, kept whole (a long each) so that p99 is exact. Not thread-safe: one per driver, then {@link #merge}. */
    public static final class Latencies {
        private long[] nanos;
        private int size;

        public Latencies(int capacity) {
            nanos = new long[Math.max(16, capacity)];
        }

        public void add(long n) {
            if (size == nanos.length) {
                nanos = Arrays.copyOf(nanos, size * 2);
            }
            nanos[size++] = n;
        }

        public int count() {
            return size;
        }

        public static Latencies merge(Iterable<Latencies> all) {
            Latencies merged = new Latencies(16);
            for (Latencies l : all) {
                for (int i = 0; i < l.size; i++) {
                    merged.add(l.nanos[i]);
                }
            }
            return merged;
        }

        /** The {@code q}-quantile (0–1) in microseconds. */
        public double quantileMicros(double q) {
            long[] sorted = Arrays.copyOf(nanos, size);
            Arrays.sort(sorted);
            return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1000.0;
        }
    }

    /** Heap in use after two full collections (bytes): what the process retains, not what it allocated. */
    public static long retainedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The process's resident set ({@code VmRSS} of {@code /proc/self/status}) in bytes, or -1 off Linux. */
    public static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no figure
        }
        return -1;
    }

    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** One line of figures, the form {@code docs/reliability.md} quotes. */
    public static String figures(String what, long requests, long elapsedNanos, Latencies latencies, long heapAfterGc, long rss) {
        return String.format(Locale.ROOT, "FLOOD %s: %,d requests in %.1f s = %,.0f requests/s; p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs;"
                        + " heap after GC %s; RSS %s; %d cores, load %.1f",
                what, requests, elapsedNanos / 1e9, requests * 1e9 / elapsedNanos, latencies.quantileMicros(0.50),
                latencies.quantileMicros(0.99), latencies.quantileMicros(0.999), mib(heapAfterGc), mib(rss),
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /**
     * A fake IP Trust ({@code GET /v1/ip/{ip}}) answering every address as an ordinary residential one,
     * echoing it back; counts the calls. JDK {@code HttpServer} on a loopback port.
     */
    public static final class FakeIpTrust implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fake-iptrust");
            t.setDaemon(true);
            return t;
        });
        private final AtomicInteger calls = new AtomicInteger();

        public FakeIpTrust() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
            server.setExecutor(executor);
            server.createContext("/", exchange -> {
                calls.incrementAndGet();
                String path = exchange.getRequestURI().getRawPath();
                String ip = path.substring(path.lastIndexOf('/') + 1);
                byte[] body = ("{\"ip\": \"" + ip + "\", \"is_bogon\": false, \"asn\": {\"number\": \"AS3320\", \"name\": \"DTAG\","
                        + " \"company\": \"Deutsche Telekom AG\", \"country\": \"DE\", \"route\": \"80.128.0.0/11\", \"type\": \"isp\"},"
                        + " \"location\": {\"country\": \"Germany\", \"meta\": {\"country_iso2\": \"DE\"}}}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }

        public String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        public int calls() {
            return calls.get();
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
