package dev.gatehouse.benchmarks;

import dev.gatehouse.engine.embedded.EmbeddedEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.TimeUnit;

/**
 * Time to load the full bundled data (every data set parsed from the gzipped resources, the combined
 * index built), cold (first load in a fresh JVM: what a starting proxy pays) and warm, and — through
 * {@link #main} — the heap the loaded engine retains.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) org.openjdk.jmh.Main EmbeddedEngineLoad -f 3
 * java -Xmx256m -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) dev.gatehouse.benchmarks.EmbeddedEngineLoadBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EmbeddedEngineLoadBenchmark {

    /** The first load in a fresh JVM: nothing JIT-compiled yet. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    @Fork(value = 3, jvmArgs = {"-Xms256m", "-Xmx256m"})
    public EmbeddedEngine coldLoad() {
        return EmbeddedEngine.builder().crawlerRanges(sink -> { }).build();
    }

    /** A reload in a running JVM (what a refresh costs, minus the network). */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    @Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
    public EmbeddedEngine warmLoad() {
        return EmbeddedEngine.builder().crawlerRanges(sink -> { }).build();
    }

    /** Prints the heap retained by a loaded engine: used heap after full GCs, before and after loading. */
    public static void main(String[] args) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = settledUsed(memory);
        EmbeddedEngine engine = EmbeddedEngine.builder().crawlerRanges(sink -> { }).build();
        long after = settledUsed(memory);
        System.out.printf("retained heap of the loaded embedded engine: %.1f MB (%d data sets)%n",
                (after - before) / 1_048_576.0, engine.sources().size());
        if (engine.lookup(dev.gatehouse.net.IpAddress.parse("8.8.8.8")).value(dev.gatehouse.api.Signal.ASN) == null) {
            throw new IllegalStateException("engine did not load"); // also keeps the engine reachable until here
        }
    }

    private static long settledUsed(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
