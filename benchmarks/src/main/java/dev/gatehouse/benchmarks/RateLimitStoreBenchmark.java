package dev.gatehouse.benchmarks;

import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.ratelimit.LocalRateLimitStore;
import dev.gatehouse.ratelimit.RateLimitStore;
import dev.gatehouse.ratelimit.redis.RedisRateLimitStore;
import dev.gatehouse.ratelimit.redis.RedisSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Decisions per second of a policy whose every request takes a token (a per-client limit keyed by IP),
 * with the local store and with the Redis store side by side in one run: the overhead of sharing limits
 * across a fleet. Signals are known (no engine), so the difference is the store. Requests come from
 * 1 024 addresses with a skew (a fifth of them send four fifths of the requests); the limit is large
 * enough that every request is allowed, so both stores do the same work.
 *
 * <p>Needs Redis on 127.0.0.1:6379 for {@code store=redis} (keys under a fresh prefix, expiring within
 * seconds); {@code baselineRedisGet} is one plain Lettuce GET, the floor of any Redis round trip on the same
 * machine. The Redis store's timeout is set to 1 s so that no decision is made by the fallback; the
 * count of fallbacks is printed at the end of each trial and must be 0 for the figure to mean anything.
 *
 * <p>Run (from the repository root; {@code -t} is the number of request threads):
 * <pre>
 * mvn -B -q -pl filter-core,benchmarks package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) org.openjdk.jmh.Main RateLimitStoreBenchmark \
 *      -f 1 -wi 3 -i 5 -w 1s -r 2s -t 1
 * java -cp ... org.openjdk.jmh.Main RateLimitStoreBenchmark -f 1 -wi 3 -i 5 -w 1s -r 2s -t 8
 * </pre>
 * Results: docs/benchmarks.md.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RateLimitStoreBenchmark {

    private static final int SIZE = 4096; // a power of two: the index wraps with a mask
    private static final String POLICY = """
            limits:
              per-client:
                capacity: 1000000
                period: 1m
                key: ip
            default:
              action: rate_limit
              limit: per-client
            """;

    /** The store and the policy on it, shared by all request threads (as in a server). */
    @State(Scope.Benchmark)
    public static class Fleet {
        @Param({"local", "redis"})
        public String store;

        RateLimitStore rateLimitStore;
        SimpleMeterRegistry registry;
        Policy policy;
        RequestFacts[] requests;
        Signals[] signals;

        @Setup(Level.Trial)
        public void setUp() {
            registry = new SimpleMeterRegistry();
            rateLimitStore = switch (store) {
                case "local" -> LocalRateLimitStore.builder().maximumBuckets(100_000).build();
                case "redis" -> RedisRateLimitStore.builder(RedisSettings.builder()
                                .keyPrefix("gh-bench-" + UUID.randomUUID()).timeout(Duration.ofSeconds(1)).build())
                        .clock(Clock.systemUTC()).meterRegistry(registry).build();
                default -> throw new IllegalArgumentException("store must be local or redis, was " + store);
            };
            if (rateLimitStore.status().degraded()) {
                throw new IllegalStateException("Redis is not answering: " + rateLimitStore.status().detail());
            }
            policy = PolicyLoader.builder().rateLimitStore(rateLimitStore).meterRegistry(registry).build().parse(POLICY, "bench.yaml");
            Random random = new Random(42);
            IpAddress[] clients = new IpAddress[1024];
            for (int i = 0; i < clients.length; i++) {
                clients[i] = IpAddress.ofV4(0x0A000000 | random.nextInt(1 << 24));
            }
            requests = new RequestFacts[SIZE];
            signals = new Signals[SIZE];
            for (int i = 0; i < SIZE; i++) {
                // 80 % of requests from the first 20 % of clients
                IpAddress ip = random.nextInt(100) < 80 ? clients[random.nextInt(205)] : clients[205 + random.nextInt(819)];
                requests[i] = RequestFacts.builder(ip).path("/").build();
                signals[i] = Signals.of(ip);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (rateLimitStore instanceof RedisRateLimitStore) {
                double fallbacks = registry.find("gatehouse.ratelimit.redis.fallbacks").counter() == null ? 0
                        : registry.find("gatehouse.ratelimit.redis.fallbacks").counter().count();
                System.out.println("\nfallback decisions (must be 0): " + (long) fallbacks);
            }
            rateLimitStore.close();
        }
    }

    /** A plain Lettuce connection: one GET and waiting for it is the floor any Redis-backed decision pays. */
    @State(Scope.Benchmark)
    public static class RawRedis {
        RedisClient client;
        StatefulRedisConnection<byte[], byte[]> connection;
        final byte[] key = ("gh-bench-raw-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);

        @Setup(Level.Trial)
        public void setUp() {
            client = RedisClient.create("redis://127.0.0.1:6379");
            connection = client.connect(ByteArrayCodec.INSTANCE);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** Where each request thread is in the request list. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            next = (int) (Thread.currentThread().getId() * 977);
        }
    }

    @Benchmark
    public Decision decide(Fleet fleet, Cursor cursor) {
        int i = cursor.next++ & (SIZE - 1);
        Decision d = fleet.policy.evaluate(fleet.requests[i], fleet.signals[i]);
        if (d.verdict() != Verdict.ALLOW) {
            throw new IllegalStateException("the limit is meant to allow every request, got " + d.verdict());
        }
        return d;
    }

    /** The floor: one Redis round trip from a request thread (the Redis store makes two: read, then compare-and-swap). */
    @Benchmark
    public byte[] baselineRedisGet(RawRedis redis) throws Exception {
        return redis.connection.async().get(redis.key).get(1, TimeUnit.SECONDS);
    }
}
