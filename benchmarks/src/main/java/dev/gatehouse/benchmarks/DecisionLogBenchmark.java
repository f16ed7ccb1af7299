package dev.gatehouse.benchmarks;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.decisionlog.DecisionLog;
import dev.gatehouse.decisionlog.DecisionLogSettings;
import dev.gatehouse.enforcement.RequestId;
import dev.gatehouse.net.IpAddress;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the request id and the decision log cost a request, on the request's thread:
 * <ul>
 *   <li>{@code requestId}: a fresh {@code X-Request-Id} (time-ordered, 26 characters);</li>
 *   <li>{@code allowNotSampled}: the log's check for an allow at {@code sample-allows: 0.01} (almost
 *       always "no": one random number);</li>
 *   <li>{@code refusalQueued}: a refusal's check and its entry queued for the writer thread (the JSON is
 *       written off the request path; when the writer falls behind, the entry is dropped and counted,
 *       which costs the same).</li>
 * </ul>
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -q -pl filter-core,benchmarks package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) org.openjdk.jmh.Main DecisionLogBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecisionLogBenchmark {

    private Path dir;
    private DecisionLog log;
    private Decision allow;
    private Decision block;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("decision-log-bench");
        log = DecisionLog.create(DecisionLogSettings.custom().to(dir.resolve("decisions.jsonl").toString())
                .sampleAllows(0.01).maxFileSize(64L << 20).maxFiles(2).build(), new SimpleMeterRegistry());
        Signals signals = Signals.builder(IpAddress.parse("203.0.113.9")).build();
        allow = new Decision(Verdict.ALLOW, "default/allow", Decision.Response.PASS, null, signals, List.of(), Decision.Timings.NONE);
        block = new Decision(Verdict.BLOCK, "rule/block-tor", new Decision.Response(403, Map.of(), "no"), null, signals, List.of(),
                Decision.Timings.NONE);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public String requestId() {
        return RequestId.generate();
    }

    @Benchmark
    public boolean allowNotSampled() {
        return log.wants(allow);
    }

    @Benchmark
    public boolean refusalQueued() {
        boolean wanted = log.wants(block);
        if (wanted) {
            log.record(new DecisionLog.Entry("01m8pa0hhvt8w2xb5hgp2yt23w", block, "GET", "example.org", "/login", "curl/8.5", 403));
        }
        return wanted;
    }
}
