package dev.gatehouse.ratelimit.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.ratelimit.LocalRateLimitStore;
import dev.gatehouse.ratelimit.RateLimit;
import dev.gatehouse.ratelimit.RateLimitResult;
import dev.gatehouse.ratelimit.RateLimitStore;
import dev.gatehouse.ratelimit.StoreStatus;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.RedisApi;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A {@link RateLimitStore} whose buckets live in Redis, so every Gatehouse instance that shares the Redis
 * (and the key prefix) shares each limit: a limit of 100 per minute is 100 per minute for the fleet.
 *
 * <p>Bucket4j's Lettuce integration keeps the bucket state in one Redis key per bucket and updates it by
 * compare-and-swap (a Lua script), so two instances taking the last token at once cannot both get it.
 * Keys read {@code <key-prefix>:rl:<limit name>:<capacity>/<refill>/<period>:<bucket key>}, e.g.
 * {@code gatehouse:rl:per-client:20/20/PT1M:ip=192.0.2.7}: a changed limit is a new bucket, as in the local
 * store, and each key expires once its bucket would be full again (plus a second of slack for clock
 * differences), so Redis never holds more than the buckets in use.
 *
 * <p>Refill time is computed by the instances from their own clocks ({@link Clock}, wall time): keep the
 * fleet on NTP. A request waits at most {@code rate-limit.redis.timeout} for Redis; when Redis is slow,
 * away or refuses (OOM, READONLY) the configured {@link RedisSettings.Fallback fallback} decides instead,
 * without waiting while Redis is known to be away, and {@link #status()} says so until a background
 * probe finds Redis answering again. No call of this store throws because of Redis.
 *
 * <pre>{@code
 * RateLimitStore store = RedisRateLimitStore.create(RedisSettings.defaults(), Clock.systemUTC(), registry);
 * PolicyLoader loader = PolicyLoader.builder().rateLimitStore(store).meterRegistry(registry).build();
 * }</pre>
 */
public final class RedisRateLimitStore implements RateLimitStore {

    private record BucketKey(RateLimit limit, String key) {}

    private final RedisSettings settings;
    private final RedisLink link;
    private final AsyncProxyManager<byte[]> buckets;
    private final RateLimitStore local;
    private final Cache<RateLimit, BucketConfiguration> configurations = Caffeine.newBuilder().maximumSize(1_024).build();
    // Proxies of buckets asked recently, each batching this process's concurrent requests into one compare-and-swap:
    // a hot key (one client hammering) then costs one Redis round trip at a time per instance, not a retry storm.
    private final Cache<BucketKey, AsyncBucketProxy> proxies;
    private final Counter fallbackDecisions;

    private RedisRateLimitStore(Builder b) {
        this.settings = b.settings;
        LongSupplier nanoTime = b.nanoTime != null ? b.nanoTime : () -> epochNanos(b.clock.instant());
        Clock clock = b.clock;
        this.link = new RedisLink(settings, "rate-limit", clock, b.registry, b.env, b.probeInterval);
        TimeMeter time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoTime.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
        this.buckets = new Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]>(new LinkRedisApi<>(link))
                .clientClock(time)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(b.keepAfterRefill))
                .build()
                .asAsync();
        this.proxies = Caffeine.newBuilder().maximumSize(10_000).expireAfterAccess(Duration.ofSeconds(10)).build();
        this.local = b.local != null ? b.local : LocalRateLimitStore.builder().maximumBuckets(b.maximumBuckets).nanoTime(nanoTime).build();
        this.fallbackDecisions = Counter.builder("gatehouse.ratelimit.redis.fallbacks")
                .description("Rate-limit decisions made by the fallback because Redis did not answer in time")
                .tag("fallback", settings.fallback().id())
                .register(b.registry);
    }

    /**
     * The store the settings describe, on {@code clock} (the system clock in production), with its metrics
     * in {@code registry}. Connects at once; a Redis that is away only means the store starts falling back.
     *
     * @throws IllegalStateException when {@code password-env} names a variable that is not set
     */
    public static RedisRateLimitStore create(RedisSettings settings, Clock clock, MeterRegistry registry) {
        return builder(settings).clock(clock).meterRegistry(registry).build();
    }

    public static Builder builder(RedisSettings settings) {
        return new Builder(settings);
    }

    @Override
    public RateLimitResult tryConsume(RateLimit limit, String key) {
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(key, "key");
        if (link.isUp()) {
            try {
                ConsumptionProbe probe = link.await(bucket(limit, key).tryConsumeAndReturnRemaining(1));
                return new RateLimitResult(probe.isConsumed(), probe.getRemainingTokens(),
                        probe.isConsumed() ? 0 : probe.getNanosToWaitForRefill(), probe.getNanosToWaitForReset(), limit);
            } catch (RedisLink.Unavailable e) {
                // fall through to the fallback
            } catch (RuntimeException e) {
                link.failed(e);
            }
        }
        return fallback(limit, key, true);
    }

    @Override
    public RateLimitResult peek(RateLimit limit, String key) {
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(key, "key");
        if (link.isUp()) {
            try {
                EstimationProbe probe = link.await(bucket(limit, key).estimateAbilityToConsume(1));
                long remaining = probe.getRemainingTokens();
                long missing = limit.capacity() - remaining;
                long toReset = missing <= 0 ? 0 : limit.period().toNanos() * missing / limit.refillTokens();
                return new RateLimitResult(probe.canBeConsumed(), remaining, probe.canBeConsumed() ? 0 : probe.getNanosToWaitForRefill(),
                        toReset, limit);
            } catch (RedisLink.Unavailable e) {
                // fall through to the fallback
            } catch (RuntimeException e) {
                link.failed(e);
            }
        }
        return fallback(limit, key, false);
    }

    /** Buckets this process holds itself: the local fallback's (Redis's count is {@code SCAN <prefix>:rl:*}, see docs/fleet.md). */
    @Override
    public long size() {
        return local.size();
    }

    @Override
    public StoreStatus status() {
        return link.isDown()
                ? new StoreStatus("redis", true, link.describe() + "; fallback " + settings.fallback().id())
                : StoreStatus.up("redis", link.describe());
    }

    /** The settings this store was made from. */
    public RedisSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        link.close();
        local.close();
    }

    @Override
    public String toString() {
        return "RedisRateLimitStore[" + settings.safeUrl() + ", key-prefix " + settings.keyPrefix() + ", fallback "
                + settings.fallback().id() + "]";
    }

    private AsyncBucketProxy bucket(RateLimit limit, String key) {
        return proxies.get(new BucketKey(limit, key), k -> {
            BucketConfiguration configuration = configurations.get(limit, l -> BucketConfiguration.builder()
                    .addLimit(bandwidth -> bandwidth.capacity(l.capacity()).refillGreedy(l.refillTokens(), l.period()))
                    .build());
            return buckets.builder().withOptimization(Optimizations.batching()).build(redisKey(limit, key), configuration);
        });
    }

    byte[] redisKey(RateLimit limit, String key) {
        return (settings.keyPrefix() + ":rl:" + limit.name() + ":" + limit.capacity() + "/" + limit.refillTokens() + "/" + limit.period()
                + ":" + key).getBytes(StandardCharsets.UTF_8);
    }

    private RateLimitResult fallback(RateLimit limit, String key, boolean consume) {
        fallbackDecisions.increment();
        return switch (settings.fallback()) {
            case LOCAL -> consume ? local.tryConsume(limit, key) : local.peek(limit, key);
            case ALLOW -> new RateLimitResult(true, limit.capacity() - (consume ? 1 : 0), 0, 0, limit);
            case BLOCK -> new RateLimitResult(false, 0, Math.max(1, limit.period().toNanos() / limit.refillTokens()),
                    limit.fullRefill().toNanos(), limit);
        };
    }

    private static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    /**
     * Bucket4j's view of Redis, always through the link's current connection (which the link replaces after
     * a failover). Generic over the key type on purpose: Bucket4j passes keys as an {@code Object[]}, which a
     * {@code RedisApi<byte[]>} bridge method would fail to cast.
     */
    private static final class LinkRedisApi<K> implements RedisApi<K> {
        private final RedisLink link;

        LinkRedisApi(RedisLink link) {
            this.link = link;
        }

        @SuppressWarnings("unchecked")
        private RedisAsyncCommands<K, byte[]> commands() {
            return (RedisAsyncCommands<K, byte[]>) (RedisAsyncCommands<?, ?>) link.commands();
        }

        @Override
        public <V> RedisFuture<V> eval(String script, ScriptOutputType type, K[] keys, byte[]... args) {
            return commands().eval(script, type, keys, args);
        }

        @Override
        public RedisFuture<byte[]> get(K key) {
            return commands().get(key);
        }

        @Override
        public RedisFuture<?> delete(K key) {
            return commands().del(key);
        }
    }

    /** Configures a {@link RedisRateLimitStore}; everything but the settings has a default. */
    public static final class Builder {
        private final RedisSettings settings;
        private Clock clock = Clock.systemUTC();
        private LongSupplier nanoTime;
        private MeterRegistry registry = Metrics.globalRegistry;
        private RateLimitStore local;
        private long maximumBuckets = 100_000;
        private Function<String, String> env = System::getenv;
        private Duration probeInterval = Duration.ofMillis(500);
        private Duration keepAfterRefill = Duration.ofSeconds(1);

        private Builder(RedisSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** The wall clock for refills and status times (default the system clock, UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Wall-clock time in nanoseconds since the epoch for refills, overriding {@link #clock}; tests move it by hand. */
        public Builder nanoTime(LongSupplier epochNanos) {
            this.nanoTime = Objects.requireNonNull(epochNanos, "nanoTime");
            return this;
        }

        /** Where the store's metrics go (default the global registry). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The buckets of {@code fallback: local} (default a {@link LocalRateLimitStore} of {@link #maximumBuckets} on the same clock). */
        public Builder localFallback(RateLimitStore local) {
            this.local = Objects.requireNonNull(local, "localFallback");
            return this;
        }

        /** The bound of the default local fallback ({@code rate-limit.max-keys}, default 100 000). */
        public Builder maximumBuckets(long maximumBuckets) {
            if (maximumBuckets < 1) {
                throw new IllegalArgumentException("rate-limit.max-keys must be at least 1, was " + maximumBuckets);
            }
            this.maximumBuckets = maximumBuckets;
            return this;
        }

        /** Where {@code password-env} is looked up (default {@link System#getenv(String)}). */
        public Builder env(Function<String, String> env) {
            this.env = Objects.requireNonNull(env, "env");
            return this;
        }

        /** How often a down Redis is tried again (default 500 ms). */
        public Builder probeInterval(Duration interval) {
            Objects.requireNonNull(interval, "probeInterval");
            if (interval.toMillis() < 1) {
                throw new IllegalArgumentException("probeInterval must be at least 1ms, was " + interval);
            }
            this.probeInterval = interval;
            return this;
        }

        /** How long a key outlives the moment its bucket is full again (default 1 s, slack for clock differences). */
        public Builder keepAfterRefill(Duration keep) {
            Objects.requireNonNull(keep, "keepAfterRefill");
            if (keep.isNegative()) {
                throw new IllegalArgumentException("keepAfterRefill must not be negative, was " + keep);
            }
            this.keepAfterRefill = keep;
            return this;
        }

        /** Connects and returns the store (falling back, not failing, when Redis is away). */
        public RedisRateLimitStore build() {
            return new RedisRateLimitStore(this);
        }
    }
}
