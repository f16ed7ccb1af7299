package dev.gatehouse.benchmarks;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.StandardEngine;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.net.ClientIpResolver;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.TrustedProxies;
import dev.gatehouse.policy.PolicyLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The per-request work an adapter does around the engine and the policy, as the proxy does it for a
 * browser request: resolve the client from {@code X-Forwarded-For} (trusted loopback peer), build the
 * request facts from eight headers, then {@link Gatehouse#decide} with the standard engine (embedded
 * data + crawler verifier + scoring) and {@code policies/default.yaml}. One thread; no Jetty.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -q -pl filter-core,benchmarks -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) org.openjdk.jmh.Main DecisionPathBenchmark \
 *      -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 * Results: docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecisionPathBenchmark {

    private static final int SIZE = 1024;
    private static final IpAddress PEER = IpAddress.parse("127.0.0.1");
    private static final String[][] BROWSER_HEADERS = {
            {"Host", "shop.example.com"},
            {"User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"},
            {"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
            {"Accept-Language", "de-DE,de;q=0.9,en;q=0.8"},
            {"Accept-Encoding", "gzip, deflate, br"},
            {"Cookie", "session=4f9a1c; theme=dark"},
            {"Referer", "https://shop.example.com/"},
            {"X-Forwarded-For", ""}, // filled per request
    };

    private Gatehouse gatehouse;
    private ClientIpResolver resolver;
    private String[] forwardedFor;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Duration budget = Duration.ofMillis(50);
        gatehouse = Gatehouse.builder()
                .engine(StandardEngine.create(budget, List.of(), registry))
                .policy(PolicyLoader.builder().meterRegistry(registry).build().parse(read(policyFile()), "default.yaml"))
                .budget(budget)
                .meterRegistry(registry)
                .build();
        resolver = ClientIpResolver.trusting(TrustedProxies.loopback());
        Random random = new Random(42);
        forwardedFor = new String[SIZE];
        for (int i = 0; i < SIZE; i++) {
            // public unicast space, skipping 0/8, 10/8, 127/8 and 224/3
            int first = 1 + random.nextInt(200);
            if (first == 10 || first == 127) {
                first++;
            }
            forwardedFor[i] = first + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        gatehouse.close();
    }

    @Benchmark
    public Decision resolveFactsDecide() {
        String xff = forwardedFor[next++ & (SIZE - 1)];
        IpAddress client = resolver.resolve(PEER, List.of(xff), List.of());
        RequestFacts.Builder facts = RequestFacts.builder(client).peerIp(PEER).method("GET").host("shop.example.com")
                .path("/products/42");
        for (String[] header : BROWSER_HEADERS) {
            facts.header(header[0], header[1].isEmpty() ? xff : header[1]);
        }
        return gatehouse.decide(facts.build()).join();
    }

    private static Path policyFile() {
        for (Path candidate : new Path[] {Path.of("policies/default.yaml"), Path.of("../policies/default.yaml")}) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("policies/default.yaml not found from " + Path.of("").toAbsolutePath()
                + "; run from the repository root");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
