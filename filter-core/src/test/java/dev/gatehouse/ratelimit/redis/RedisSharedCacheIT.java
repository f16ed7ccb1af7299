package dev.gatehouse.ratelimit.redis;

import dev.gatehouse.api.SharedCache;
import dev.gatehouse.testing.RequiresRedis;
import dev.gatehouse.testing.TestRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared cache between two instances on the real Redis at 127.0.0.1:6379. */
@RequiresRedis
class RedisSharedCacheIT {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private RedisSettings settings;
    private RedisSharedCache first;
    private RedisSharedCache second;

    @BeforeEach
    void start() {
        settings = RedisSettings.builder().keyPrefix("gh-sc-" + UUID.randomUUID()).timeout(Duration.ofSeconds(1)).build();
        first = RedisSharedCache.create(settings, Clock.systemUTC(), registry);
        second = RedisSharedCache.create(settings, Clock.systemUTC(), registry);
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
    }

    private static Optional<SharedCache.Entry> get(SharedCache cache, SharedCache.Key key) {
        return cache.get(key).orTimeout(5, TimeUnit.SECONDS).join();
    }

    private static void redis(java.util.function.Consumer<io.lettuce.core.api.sync.RedisCommands<String, String>> commands) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            commands.accept(c.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void put_byOneInstance_isReadByTheOther_withItsTtl() {
        SharedCache.Key key = new SharedCache.Key("provider-test", 1, "192.0.2.7");
        first.put(key, "{\"vpn\":true}".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(10));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> get(second, key).isPresent());
        SharedCache.Entry entry = get(second, key).orElseThrow();
        assertThat(new String(entry.value(), StandardCharsets.UTF_8)).isEqualTo("{\"vpn\":true}");
        assertThat(entry.ttl()).isBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));
        String redisKey = settings.keyPrefix() + ":sc:provider-test:v1:192.0.2.7";
        redis(r -> assertThat(r.pttl(redisKey)).isBetween(540_000L, 600_000L));
        assertThat(registry.get("gatehouse.shared.cache.gets").tags("namespace", "provider-test", "result", "hit").counter().count())
                .isEqualTo(1);
        assertThat(get(second, key)).as("now from the local cache in front").isPresent();
        assertThat(registry.get("gatehouse.shared.cache.gets").tags("namespace", "provider-test", "result", "local").counter().count())
                .as("the two reads after the first").isEqualTo(2);
    }

    @Test
    void get_ofAnotherFormatVersion_orOfBytesGatehouseDidNotWrite_misses() {
        SharedCache.Key v1 = new SharedCache.Key("provider-test", 1, "192.0.2.8");
        first.put(v1, new byte[] {1, 2, 3}, Duration.ofMinutes(1));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> get(second, v1).isPresent());

        assertThat(get(second, new SharedCache.Key("provider-test", 2, "192.0.2.8"))).as("a newer format never reads v1").isEmpty();
        redis(r -> r.setex(settings.keyPrefix() + ":sc:provider-test:v1:192.0.2.9", 60, "not framed"));
        assertThat(get(second, new SharedCache.Key("provider-test", 1, "192.0.2.9"))).isEmpty();
    }

    @Test
    void get_whileRedisIsAway_missesWithinTheTimeout_andPutDoesNotThrow() {
        try (TestRedisServer own = TestRedisServer.start()) {
            RedisSettings ownSettings = RedisSettings.builder().url(own.url()).timeout(Duration.ofMillis(250)).build();
            try (RedisSharedCache cache = RedisSharedCache.builder(ownSettings).meterRegistry(registry).localSize(0).build()) {
                SharedCache.Key key = new SharedCache.Key("provider-test", 1, "192.0.2.10");
                own.kill();
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    assertThat(get(cache, key)).isEmpty();
                    cache.put(key, new byte[] {1}, Duration.ofMinutes(1));
                    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(250 + 400);
                }
                assertThat(cache.isDegraded()).isTrue();
                own.restart();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !cache.isDegraded());
                cache.put(key, new byte[] {7}, Duration.ofMinutes(1));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> get(cache, key).map(e -> e.value()[0] == 7).orElse(false));
            }
        }
    }
}
