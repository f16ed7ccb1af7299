package dev.gatehouse.ratelimit.redis;

import dev.gatehouse.ratelimit.AbstractRateLimitStoreContractTest;
import dev.gatehouse.ratelimit.RateLimit;
import dev.gatehouse.ratelimit.RateLimitStore;
import dev.gatehouse.testing.RequiresRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The rate-limit store contract against the real Redis on 127.0.0.1:6379, plus what only Redis has: keys and their expiry. */
@RequiresRedis
class RedisRateLimitStoreIT extends AbstractRateLimitStoreContractTest {

    private static RedisClient admin;
    private static StatefulRedisConnection<String, String> adminConnection;
    private String prefix;

    @BeforeAll
    static void connect() {
        admin = RedisClient.create("redis://127.0.0.1:6379");
        adminConnection = admin.connect();
    }

    @AfterAll
    static void disconnect() {
        adminConnection.close();
        admin.shutdown();
    }

    private static RedisCommands<String, String> redis() {
        return adminConnection.sync();
    }

    @Override
    protected RateLimitStore createStore(LongSupplier nanoTime) {
        prefix = "gh-it-" + UUID.randomUUID();
        RedisSettings settings = RedisSettings.builder().keyPrefix(prefix).timeout(Duration.ofSeconds(2)).build();
        return RedisRateLimitStore.builder(settings).nanoTime(nanoTime).meterRegistry(new SimpleMeterRegistry()).build();
    }

    @Test
    void tryConsume_writesOneKeyNamespacedByPrefixLimitAndKey_withTtlOfTheRefill() {
        store.tryConsume(FIVE_PER_MINUTE, "ip=192.0.2.7");

        assertThat(redis().keys(prefix + ":*")).containsExactly(prefix + ":rl:five:5/5/PT1M:ip=192.0.2.7");
        long ttl = redis().pttl(prefix + ":rl:five:5/5/PT1M:ip=192.0.2.7");
        // one token used: full again after 12 s, plus the 1 s kept for clock differences
        assertThat(ttl).isBetween(1L, 13_000L).isGreaterThan(11_000L);
    }

    @Test
    void tryConsume_keysExpireOnceTheBucketWouldBeFull() {
        RedisSettings settings = RedisSettings.builder().keyPrefix(prefix + "-expiry").timeout(Duration.ofSeconds(2)).build();
        RateLimit fast = new RateLimit("fast", 2, 2, Duration.ofMillis(300));
        try (RedisRateLimitStore real = RedisRateLimitStore.builder(settings).clock(Clock.systemUTC())
                .keepAfterRefill(Duration.ZERO).meterRegistry(new SimpleMeterRegistry()).build()) {
            real.tryConsume(fast, "k");
            real.tryConsume(fast, "k");
            String key = prefix + "-expiry:rl:fast:2/2/PT0.3S:k";
            assertThat(redis().exists(key)).isEqualTo(1);
            assertThat(redis().pttl(key)).isBetween(1L, 300L);
            await().atMost(Duration.ofSeconds(5)).until(() -> redis().exists(key) == 0);
        }
    }

    @Test
    void status_whileRedisAnswers_isUpAndNamesTheServer() {
        store.tryConsume(FIVE_PER_MINUTE, "k");
        assertThat(store.status().degraded()).isFalse();
        assertThat(store.status().store()).isEqualTo("redis");
        assertThat(store.status().detail()).contains("redis://127.0.0.1:6379 up");
    }
}
