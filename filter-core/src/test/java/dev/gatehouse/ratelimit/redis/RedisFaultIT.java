package dev.gatehouse.ratelimit.redis;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.api.Decision;
import dev.gatehouse.api.Policy;
import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.ratelimit.RateLimit;
import dev.gatehouse.ratelimit.RateLimitResult;
import dev.gatehouse.testing.TestRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis going away under a running store: killed and restarted, paused (slow), refusing writes (OOM,
 * READONLY), absent from the start. Each time every decision comes from the fallback within the timeout
 * (plus scheduling slack on a loaded machine), nothing throws, the status and metrics say so, and the
 * store goes back to Redis by itself once Redis answers.
 */
class RedisFaultIT {

    // well above a loopback round trip even on an overloaded build machine, so only the faults time out
    private static final Duration TIMEOUT = Duration.ofMillis(250);
    /** What a loaded 2-core build machine may add to a wait; far below what waiting on a dead Redis would cost. */
    private static final long SLACK_MS = 400;
    private static final RateLimit FIVE = new RateLimit("five", 5, 5, Duration.ofMinutes(1));

    private TestRedisServer redis;
    private SimpleMeterRegistry registry;
    private String prefix;

    @BeforeEach
    void start() {
        redis = TestRedisServer.start();
        registry = new SimpleMeterRegistry();
        prefix = "gh-fault-" + UUID.randomUUID();
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    private RedisRateLimitStore store(String url, RedisSettings.Fallback fallback) {
        RedisSettings settings = RedisSettings.builder().url(url).keyPrefix(prefix).timeout(TIMEOUT).fallback(fallback).build();
        return RedisRateLimitStore.builder(settings).clock(Clock.systemUTC()).meterRegistry(registry)
                .probeInterval(Duration.ofMillis(50)).build();
    }

    private void admin(Consumer<RedisCommands<String, String>> commands) {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            commands.accept(c.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private long keysInRedis() {
        long[] n = new long[1];
        admin(r -> n[0] = r.keys(prefix + ":rl:*").size());
        return n[0];
    }

    /** Asks {@code times} times; every answer must come within the timeout plus slack. */
    private RateLimitResult[] consumeTimed(RedisRateLimitStore store, String key, int times) {
        RateLimitResult[] results = new RateLimitResult[times];
        for (int i = 0; i < times; i++) {
            long t0 = System.nanoTime();
            results[i] = store.tryConsume(FIVE, key);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("decision %d took %d ms", i, ms).isLessThanOrEqualTo(TIMEOUT.toMillis() + SLACK_MS);
        }
        return results;
    }

    private double fallbacks() {
        return registry.get("gatehouse.ratelimit.redis.fallbacks").counter().count();
    }

    @Test
    void redisKilledMidTest_localFallbackWithinBudget_thenBackToRedisWhenItRestarts() {
        try (RedisRateLimitStore store = store(redis.url(), RedisSettings.Fallback.LOCAL)) {
            assertThat(store.tryConsume(FIVE, "a").remaining()).isEqualTo(4);
            assertThat(store.tryConsume(FIVE, "a").remaining()).isEqualTo(3);
            assertThat(store.status().degraded()).isFalse();
            assertThat(registry.get("gatehouse.redis.up").gauge().value()).isEqualTo(1.0);

            double before = fallbacks();
            redis.kill();
            RateLimitResult[] during = consumeTimed(store, "a", 10);

            // local buckets start full: this instance alone enforces the limit meanwhile
            assertThat(during[0].allowed()).isTrue();
            assertThat(during[0].remaining()).isEqualTo(4);
            assertThat(during[5].allowed()).isFalse();
            assertThat(store.status().degraded()).isTrue();
            assertThat(store.status().detail()).contains("unreachable").contains("fallback local");
            assertThat(fallbacks() - before).isEqualTo(10);
            assertThat(registry.get("gatehouse.redis.up").gauge().value()).isZero();

            redis.restart();
            await().atMost(Duration.ofSeconds(15)).until(() -> !store.status().degraded());

            RateLimitResult after = store.tryConsume(FIVE, "a");
            assertThat(after.allowed()).isTrue();
            assertThat(after.remaining()).as("a fresh Redis: the bucket starts full again").isEqualTo(4);
            assertThat(keysInRedis()).isEqualTo(1);
            assertThat(fallbacks() - before).isEqualTo(10);
            assertThat(registry.get("gatehouse.redis.up").gauge().value()).isEqualTo(1.0);
        }
    }

    @Test
    void gatehouse_redisKilledMidTraffic_everyDecisionStillComesWithinTheTimeout_andNoneFails() throws Exception {
        String policyText = """
                limits:
                  per-client:
                    capacity: 3
                    period: 1m
                default:
                  action: rate_limit
                  limit: per-client
                """;
        try (RedisRateLimitStore store = store(redis.url(), RedisSettings.Fallback.LOCAL)) {
            Policy policy = PolicyLoader.builder().rateLimitStore(store)
                    .meterRegistry(registry).build().parse(policyText, "<fault>");
            try (Gatehouse gatehouse = Gatehouse.builder()
                    .engine(facts -> CompletableFuture.completedFuture(Signals.of(facts.clientIp())))
                    .policy(policy).budget(Duration.ofSeconds(2)).meterRegistry(registry).build()) {
                RequestFacts client = RequestFacts.builder(IpAddress.parse("192.0.2.61")).build();
                assertThat(gatehouse.decide(client).get(5, TimeUnit.SECONDS).verdict())
                        .isEqualTo(Verdict.ALLOW);

                redis.kill();
                List<Verdict> verdicts = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    Decision d = gatehouse.decide(client).get(5, TimeUnit.SECONDS);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertThat(ms).as("decision %d took %d ms", i, ms).isLessThanOrEqualTo(TIMEOUT.toMillis() + SLACK_MS);
                    assertThat(d.rule()).as("decided by the policy, not an error path").isEqualTo("default/rate_limit");
                    verdicts.add(d.verdict());
                }
                // the local fallback starts a full bucket of 3: this instance enforces the limit alone meanwhile
                assertThat(verdicts).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW,
                        Verdict.RATE_LIMIT, Verdict.RATE_LIMIT);
                assertThat(registry.get("gatehouse.policy.errors").counter().count()).isZero();
            }
        }
    }

    @Test
    void redisPaused_slowAnswersTimeOut_fallbackDecidesWithinBudget_thenRecovers() {
        try (RedisRateLimitStore store = store(redis.url(), RedisSettings.Fallback.LOCAL)) {
            store.tryConsume(FIVE, "slow");
            double before = fallbacks();
            admin(r -> r.clientPause(2_500));

            RateLimitResult[] during = consumeTimed(store, "slow", 8);

            assertThat(during).allSatisfy(r -> assertThat(r).isNotNull());
            assertThat(store.status().degraded()).as("three timeouts in a row count as down").isTrue();
            assertThat(store.status().detail()).contains("timeout");
            assertThat(fallbacks() - before).isEqualTo(8);
            await().atMost(Duration.ofSeconds(15)).until(() -> !store.status().degraded());
            assertThat(store.tryConsume(FIVE, "slow").allowed()).isTrue();
        }
    }

    @Test
    void redisOutOfMemory_writesRefused_fallbackDecides_thenRecoversWhenMemoryIsFreed() {
        try (RedisRateLimitStore store = store(redis.url(), RedisSettings.Fallback.BLOCK)) {
            assertThat(store.tryConsume(FIVE, "oom").allowed()).isTrue();
            admin(r -> {
                r.configSet("maxmemory-policy", "noeviction");
                r.configSet("maxmemory", "1");
            });

            RateLimitResult refused = consumeTimed(store, "oom", 1)[0];

            assertThat(refused.allowed()).as("fallback block").isFalse();
            assertThat(refused.retryAfterSeconds()).isEqualTo(12);
            assertThat(store.status().degraded()).isTrue();
            assertThat(store.status().detail()).contains("OOM").contains("fallback block");
            admin(r -> r.configSet("maxmemory", "0"));
            await().atMost(Duration.ofSeconds(15)).until(() -> !store.status().degraded());
            RateLimitResult back = store.tryConsume(FIVE, "oom");
            assertThat(back.allowed()).isTrue();
            assertThat(back.remaining()).as("the Redis bucket, not a fallback").isEqualTo(3);
        }
    }

    @Test
    void redisTurnedReadOnlyReplica_writesRefused_fallbackDecides_thenReconnectsWhenPrimaryAgain() {
        int nobody = freePort();
        try (RedisRateLimitStore store = store(redis.url(), RedisSettings.Fallback.ALLOW)) {
            assertThat(store.tryConsume(FIVE, "ro").remaining()).isEqualTo(4);
            admin(r -> r.replicaof("127.0.0.1", nobody));

            RateLimitResult[] during = consumeTimed(store, "ro", 8);

            assertThat(during).allSatisfy(r -> assertThat(r.allowed()).as("fallback allow").isTrue());
            assertThat(store.status().detail()).contains("refused-readonly").contains("fallback allow");
            admin(RedisCommands::replicaofNoOne);
            await().atMost(Duration.ofSeconds(15)).until(() -> !store.status().degraded());
            assertThat(store.tryConsume(FIVE, "ro").remaining()).isEqualTo(3);
        }
    }

    @Test
    void redisAbsentAtStartUp_storeStartsFallingBack_withoutThrowing_thenConnectsWhenItAppears() {
        redis.kill();
        try (RedisRateLimitStore store = store(redis.url(), RedisSettings.Fallback.BLOCK)) {
            assertThat(store.status().degraded()).isTrue();
            RateLimitResult r = consumeTimed(store, "late", 3)[2];
            assertThat(r.allowed()).isFalse();
            assertThat(store.peek(FIVE, "late").allowed()).isFalse();

            redis.restart();
            await().atMost(Duration.ofSeconds(15)).until(() -> !store.status().degraded());
            assertThat(store.tryConsume(FIVE, "late").remaining()).isEqualTo(4);
        }
    }

    @Test
    void passwordFromTheNamedEnvironmentVariable_authenticates_andAWrongOneFallsBack() {
        try (TestRedisServer locked = TestRedisServer.start("--requirepass", "s3cret")) {
            RedisSettings settings = RedisSettings.builder().url(locked.url()).keyPrefix(prefix).timeout(TIMEOUT)
                    .passwordEnv("GATEHOUSE_REDIS_PASSWORD").fallback(RedisSettings.Fallback.BLOCK).build();
            try (RedisRateLimitStore store = RedisRateLimitStore.builder(settings).meterRegistry(registry)
                    .env(Map.of("GATEHOUSE_REDIS_PASSWORD", "s3cret")::get).build()) {
                assertThat(store.status().degraded()).isFalse();
                assertThat(store.tryConsume(FIVE, "auth").remaining()).isEqualTo(4);
            }
            try (RedisRateLimitStore wrong = RedisRateLimitStore.builder(settings).meterRegistry(registry)
                    .env(Map.of("GATEHOUSE_REDIS_PASSWORD", "wrong")::get).build()) {
                assertThat(wrong.status().degraded()).isTrue();
                assertThat(wrong.tryConsume(FIVE, "auth").allowed()).as("fallback block").isFalse();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
