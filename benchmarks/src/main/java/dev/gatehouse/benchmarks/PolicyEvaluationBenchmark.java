package dev.gatehouse.benchmarks;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Decisions per second of the compiled {@code policies/default.yaml} on already-known signals (the
 * engine is not involved), one thread, so the score is per core.
 *
 * <ul>
 *   <li>{@code evaluateMix}: a skewed, realistic mix — 80 % ordinary visitors (every rule is tested before
 *       the default), 8 % verified crawlers, 4 % VPN/hosting within their rate limit (a bucket lookup),
 *       3 % Tor, 3 % spoofed crawlers, 2 % attackers;</li>
 *   <li>{@code evaluateOrdinary}: only ordinary visitors, the longest walk without a rate limit;</li>
 *   <li>{@code explainMix}: the same mix with the explained trace (values and sources as text), the slow
 *       path used by {@code explain};</li>
 *   <li>{@code baselineHandWritten}: the same rules as hand-written Java {@code if}s, what compiled
 *       predicates are measured against.</li>
 * </ul>
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -q -pl filter-core,benchmarks package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) org.openjdk.jmh.Main PolicyEvaluationBenchmark \
 *      -f 1 -wi 3 -i 5 -w 2s -r 1s -prof gc
 * </pre>
 * The policy is read from {@code policies/default.yaml} (or {@code ../policies/default.yaml}); set
 * {@code -jvmArgsAppend -Dgatehouse.benchmark.policy=FILE} to measure another one. Results: docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class PolicyEvaluationBenchmark {

    private static final int SIZE = 1024; // a power of two: the index wraps with a mask

    private Policy policy;
    private RequestFacts[] requests;
    private Signals[] mix;
    private Signals[] ordinary;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        policy = PolicyLoader.builder().meterRegistry(new SimpleMeterRegistry()).maximumBuckets(1 << 20).build()
                .parse(read(policyFile()), "default.yaml");
        Random random = new Random(42);
        requests = new RequestFacts[SIZE];
        mix = new Signals[SIZE];
        ordinary = new Signals[SIZE];
        for (int i = 0; i < SIZE; i++) {
            IpAddress ip = IpAddress.ofV4(0x0A000000 | random.nextInt(1 << 24));
            requests[i] = RequestFacts.builder(ip).path("/products/" + i).userAgent("Mozilla/5.0").build();
            ordinary[i] = Signals.builder(ip).put(Signal.COUNTRY, "DE", "embedded:geo").put(Signal.ASN, 3320, "embedded:asn")
                    .put(Signal.THREAT_SCORE, random.nextInt(30), "embedded:scoring").build();
            int roll = random.nextInt(100);
            Signals.Builder s = Signals.builder(ip).put(Signal.ASN, 3320, "embedded:asn").put(Signal.THREAT_SCORE, random.nextInt(30), "embedded:scoring");
            if (roll < 80) {
                s.put(Signal.COUNTRY, "DE", "embedded:geo");
            } else if (roll < 88) {
                s.put(Signal.BOT_NAME, "Googlebot", "ua").put(Signal.BOT_VERIFIED, "verified", "embedded:crawlers").put(Signal.KNOWN_BOT, true, "ua");
            } else if (roll < 92) {
                s.put(random.nextBoolean() ? Signal.VPN : Signal.HOSTING, true, "embedded:hosting");
            } else if (roll < 95) {
                s.put(Signal.TOR, true, "embedded:tor");
            } else if (roll < 98) {
                s.put(Signal.BOT_NAME, "Googlebot", "ua").put(Signal.BOT_VERIFIED, "spoofed", "embedded:crawlers");
            } else {
                s.put(Signal.ATTACKER, true, "embedded:blocklist");
            }
            mix[i] = s.build();
        }
    }

    @Benchmark
    public Decision evaluateMix() {
        int i = next++ & (SIZE - 1);
        return policy.evaluate(requests[i], mix[i]);
    }

    @Benchmark
    public Decision evaluateOrdinary() {
        int i = next++ & (SIZE - 1);
        return policy.evaluate(requests[i], ordinary[i]);
    }

    @Benchmark
    public Decision explainMix() {
        int i = next++ & (SIZE - 1);
        return policy.explain(requests[i], mix[i]);
    }

    @Benchmark
    public Verdict baselineHandWritten() {
        int i = next++ & (SIZE - 1);
        Signals s = mix[i];
        String verified = s.string(Signal.BOT_VERIFIED);
        if ("verified".equals(verified) || s.isTrue(Signal.RELAY)) {
            return Verdict.ALLOW;
        }
        if ("spoofed".equals(verified) || s.isTrue(Signal.ATTACKER) || s.integer(Signal.THREAT_SCORE, -1) >= 90 || s.isTrue(Signal.TOR)) {
            return Verdict.BLOCK;
        }
        if ("unknown".equals(verified) || s.isTrue(Signal.VPN) || s.isTrue(Signal.PROXY) || s.isTrue(Signal.HOSTING)) {
            return Verdict.RATE_LIMIT;
        }
        return Verdict.ALLOW;
    }

    private static Path policyFile() {
        String configured = System.getProperty("gatehouse.benchmark.policy");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path candidate : new Path[] {Path.of("policies/default.yaml"), Path.of("../policies/default.yaml")}) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("policies/default.yaml not found from " + Path.of("").toAbsolutePath()
                + "; run from the repository root or set -Dgatehouse.benchmark.policy=FILE");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
