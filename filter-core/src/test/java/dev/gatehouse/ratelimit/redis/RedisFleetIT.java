package dev.gatehouse.ratelimit.redis;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.IntelligenceEngine;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.testing.RequiresRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two independent Gatehouse instances (as two proxies or two app instances would be) sharing one limit through Redis. */
@RequiresRedis
class RedisFleetIT {

    private static final String POLICY = """
            limits:
              shared:
                capacity: 100
                period: 1h
                key: ip
            default:
              action: rate_limit
              limit: shared
            """;

    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void prefix() {
        prefix = "gh-fleet-" + UUID.randomUUID();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    private Gatehouse instance() {
        // generous timeout: this test is about exactness, not latency (a timed-out request would be decided locally)
        return instance(RedisSettings.builder().keyPrefix(prefix).timeout(Duration.ofSeconds(5)).build(), POLICY);
    }

    private Gatehouse instance(RedisSettings settings, String policyText) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RedisRateLimitStore store = RedisRateLimitStore.create(settings, Clock.systemUTC(), registry);
        Policy policy = PolicyLoader.builder().rateLimitStore(store).meterRegistry(registry).build().parse(policyText, "<fleet>");
        IntelligenceEngine engine = facts -> CompletableFuture.completedFuture(Signals.of(facts.clientIp()));
        Gatehouse gatehouse = Gatehouse.builder().engine(engine).policy(policy).budget(Duration.ofSeconds(10))
                .meterRegistry(registry).build();
        closeLater.add(gatehouse);
        closeLater.add(store);
        return gatehouse;
    }

    @Test
    void twoInstances_concurrentLoadFromBoth_allowExactlyTheCapacityBetweenThem() throws Exception {
        Gatehouse first = instance();
        Gatehouse second = instance();
        RequestFacts client = RequestFacts.builder(IpAddress.parse("192.0.2.44")).path("/").build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Gatehouse gatehouse = t % 2 == 0 ? first : second;
                futures.add(pool.submit(() -> {
                    start.await();
                    int allowed = 0;
                    int limited = 0;
                    for (int i = 0; i < 40; i++) {
                        Decision d = gatehouse.decide(client).get(30, TimeUnit.SECONDS);
                        if (d.verdict() == Verdict.ALLOW) {
                            allowed++;
                        } else if (d.verdict() == Verdict.RATE_LIMIT) {
                            limited++;
                        }
                    }
                    return new int[] {allowed, limited};
                }));
            }
            start.countDown();
            int allowed = 0;
            int limited = 0;
            int allowedByFirst = 0;
            for (int t = 0; t < futures.size(); t++) {
                int[] r = futures.get(t).get(60, TimeUnit.SECONDS);
                allowed += r[0];
                limited += r[1];
                allowedByFirst += t % 2 == 0 ? r[0] : 0;
            }
            assertThat(allowed).isEqualTo(100);
            assertThat(limited).isEqualTo(320 - 100);
            assertThat(allowedByFirst).as("both instances took tokens from the one bucket").isBetween(1, 99);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The done-when of examples/fleet at the Gatehouse level: its settings and policy, two instances, a client's
     * requests alternating between them → exactly 20 allowed. (The proxy reads these keys once the settings are wired.)
     */
    @Test
    @SuppressWarnings("unchecked")
    void fleetExample_twoInstances_allowExactly20OfAClientsRequestsBetweenThem() throws Exception {
        Path dir = Path.of("..", "examples", "fleet");
        Map<String, Object> config = new Yaml().load(Files.readString(dir.resolve("gatehouse.yaml")));
        Map<String, Object> rateLimit = (Map<String, Object>) config.get("rate-limit");
        Map<String, Object> redis = (Map<String, Object>) rateLimit.get("redis");
        assertThat(rateLimit.get("store")).isEqualTo("redis");
        RedisSettings example = RedisSettings.builder()
                .url((String) redis.get("url"))
                .keyPrefix((String) redis.get("key-prefix"))
                .timeout(Duration.ofMillis(Long.parseLong(((String) redis.get("timeout")).replace("ms", ""))))
                .fallback((String) redis.get("fallback"))
                .build();
        assertThat(example.url()).isEqualTo("redis://127.0.0.1:6379");
        String policy = Files.readString(dir.resolve((String) config.get("policy")));
        // the example's settings, on a prefix of this test's own (other runs may share the Redis) and a timeout for a loaded machine
        RedisSettings settings = example.toBuilder().keyPrefix(prefix).timeout(Duration.ofSeconds(5)).build();
        Gatehouse first = instance(settings, policy);
        Gatehouse second = instance(settings, policy);
        RequestFacts client = RequestFacts.builder(IpAddress.parse("198.51.100.23")).path("/").build();
        int allowed = 0;
        for (int i = 0; i < 30; i++) {
            Decision d = (i % 2 == 0 ? first : second).decide(client).get(30, TimeUnit.SECONDS);
            allowed += d.verdict() == Verdict.ALLOW ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(20);
        Decision other = second.decide(RequestFacts.builder(IpAddress.parse("198.51.100.24")).path("/").build()).join();
        assertThat(other.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(other.response().headers()).containsEntry("RateLimit-Policy", "\"per-client\";q=20;w=60")
                .containsEntry("RateLimit", "\"per-client\";r=19;t=3");
    }

    @Test
    void twoInstances_aClientRefusedByOne_isRefusedByTheOther() {
        Gatehouse first = instance();
        Gatehouse second = instance();
        RequestFacts client = RequestFacts.builder(IpAddress.parse("192.0.2.45")).path("/").build();
        for (int i = 0; i < 100; i++) {
            assertThat(first.decide(client).join().verdict()).isEqualTo(Verdict.ALLOW);
        }
        Decision refused = second.decide(client).join();

        assertThat(refused.verdict()).isEqualTo(Verdict.RATE_LIMIT);
        assertThat(refused.response().headers()).containsKey("Retry-After");
        assertThat(refused.response().headers().get("RateLimit")).startsWith("\"shared\";r=0;t=");
    }
}
