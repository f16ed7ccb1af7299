package dev.gatehouse.benchmarks;

import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.engine.embedded.EmbeddedEngine;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.PrefixMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Lookup cost of the embedded engine on the full bundled data, per address family, against three
 * baselines: a {@code HashMap<IpAddress, String>} get (the floor for "one map probe"), building a
 * {@link Signals} with the same number of values (the floor any engine returning Signals pays), and the
 * naive design of one {@link PrefixMap} trie per data set, each probed in turn (five lists here, and
 * without building any Signals).
 *
 * <p>Input is skewed like real traffic: 4,096 addresses, a quarter drawn from the data sets themselves
 * (Tor exits, AWS, X4BNet datacenter, iCloud Private Relay), the rest random public unicast.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) org.openjdk.jmh.Main EmbeddedEngineLookup \
 *      -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
public class EmbeddedEngineLookupBenchmark {

    private static final int SIZE = 4096;
    private static final String DATA = "/dev/gatehouse/data/";

    private EmbeddedEngine engine;
    private IpAddress[] v4;
    private IpAddress[] v6;
    private Map<IpAddress, String> hashMap;
    private List<PrefixMap<String>> perDataSet;
    private int i4;
    private int i6;

    @Setup(Level.Trial)
    public void setUp() {
        engine = EmbeddedEngine.builder().crawlerRanges(sink -> { }).build();
        SplittableRandom random = new SplittableRandom(42);
        List<Cidr> tor = read("tor/onionoo-exit-relays.csv.gz", true);
        List<Cidr> aws = read("cloud/ranges-txt/amazon-ipv4_merged.txt.gz", false);
        aws.addAll(read("cloud/ranges-txt/amazon-ipv6_merged.txt.gz", false));
        List<Cidr> dc = read("cloud/x4bnet-datacenter-ipv4.txt.gz", false);
        dc.addAll(read("cloud/x4bnet-datacenter-ipv6.txt.gz", false));
        List<Cidr> relay = read("vpn/icloud-private-relay-ipv4_merged.txt.gz", false);
        relay.addAll(read("vpn/icloud-private-relay-ipv6_merged.txt.gz", false));
        List<Cidr> vpn = read("vpn/x4bnet-vpn-ipv4.txt.gz", false);
        vpn.addAll(read("vpn/x4bnet-vpn-ipv6.txt.gz", false));
        List<List<Cidr>> lists = List.of(tor, aws, dc, relay, vpn);

        v4 = sample(random, lists, 4);
        v6 = sample(random, lists, 6);
        hashMap = new HashMap<>();
        for (int k = 0; k < SIZE; k += 2) {
            hashMap.put(v4[k], "x");
            hashMap.put(v6[k], "x");
        }
        perDataSet = new ArrayList<>();
        for (List<Cidr> list : lists) {
            PrefixMap.Builder<String> b = PrefixMap.builder();
            list.forEach(c -> b.put(c, "x"));
            perDataSet.add(b.build());
        }
    }

    private static IpAddress[] sample(SplittableRandom random, List<List<Cidr>> lists, int version) {
        IpAddress[] out = new IpAddress[SIZE];
        for (int k = 0; k < SIZE; k++) {
            IpAddress ip = null;
            if (random.nextInt(4) == 0) {
                List<Cidr> list = lists.get(random.nextInt(lists.size()));
                for (int tries = 0; tries < 20 && ip == null; tries++) {
                    Cidr c = list.get(random.nextInt(list.size()));
                    if (c.version() == version) {
                        ip = c.network();
                    }
                }
            }
            if (ip == null) {
                ip = version == 4 ? IpAddress.ofV4(randomPublicV4(random))
                        : IpAddress.ofV6(0x2000_0000_0000_0000L | (random.nextLong() >>> 4), random.nextLong());
            }
            out[k] = ip;
        }
        return out;
    }

    private static int randomPublicV4(SplittableRandom random) {
        while (true) {
            int v = random.nextInt();
            int first = v >>> 24;
            if (first != 0 && first != 10 && first != 127 && first < 224) {
                return v;
            }
        }
    }

    private static List<Cidr> read(String path, boolean torCsv) {
        List<Cidr> out = new ArrayList<>();
        try (InputStream raw = EmbeddedEngineLookupBenchmark.class.getResourceAsStream(DATA + path);
             BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String text = torCsv ? (line.indexOf(',') < 0 ? "" : line.split(",")[1].strip()) : line.strip();
                if (!text.isEmpty() && !text.startsWith("#") && !text.startsWith("ipaddr")) {
                    out.add(Cidr.parseLenient(text));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Benchmark
    public Signals embeddedV4() {
        return engine.lookup(v4[i4++ & (SIZE - 1)]);
    }

    @Benchmark
    public Signals embeddedV6() {
        return engine.lookup(v6[i6++ & (SIZE - 1)]);
    }

    /**
     * The floor set by the {@link Signals} record itself: an empty builder (which renders the address
     * as text) plus the three ASN signals and one source status, built. The embedded lookup pays this
     * and adds its two searches.
     */
    @Benchmark
    public Signals baselineSignalsOnlyV4() {
        return signalsOnly(v4[i4++ & (SIZE - 1)]);
    }

    @Benchmark
    public Signals baselineSignalsOnlyV6() {
        return signalsOnly(v6[i6++ & (SIZE - 1)]);
    }

    private static final Signals.SourceStatus STATUS = new Signals.SourceStatus("embedded:asn", java.time.Instant.EPOCH, null);

    private static Signals signalsOnly(IpAddress ip) {
        return Signals.builder(ip).put(Signal.ASN, 64500, "embedded:asn").put(Signal.AS_ORG, "Example", "embedded:asn")
                .put(Signal.AS_ROUTE, "192.0.2.0/24", "embedded:asn").source(STATUS).build();
    }

    @Benchmark
    public String baselineHashMapV4() {
        return hashMap.get(v4[i4++ & (SIZE - 1)]);
    }

    @Benchmark
    public String baselineHashMapV6() {
        return hashMap.get(v6[i6++ & (SIZE - 1)]);
    }

    @Benchmark
    public int baselinePrefixMapPerDataSetV4() {
        return probeAll(v4[i4++ & (SIZE - 1)]);
    }

    @Benchmark
    public int baselinePrefixMapPerDataSetV6() {
        return probeAll(v6[i6++ & (SIZE - 1)]);
    }

    private int probeAll(IpAddress ip) {
        int hits = 0;
        for (PrefixMap<String> map : perDataSet) {
            if (map.longestMatch(ip) != null) {
                hits++;
            }
        }
        return hits;
    }
}
