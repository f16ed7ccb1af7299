package dev.gatehouse.ratelimit.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.gatehouse.api.SharedCache;
import io.lettuce.core.SetArgs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The {@link SharedCache} of a fleet on Redis, with a bounded Caffeine cache in front so a value read once
 * is not fetched again until it expires.
 *
 * <p>Keys read {@code <key-prefix>:sc:<namespace>:v<version>:<id>}, e.g.
 * {@code gatehouse:sc:crawler-rdns:v1:66.249.66.1|googlebot.com,google.com}, and expire in Redis with the
 * value's TTL. A value is framed as {@code 'G' 'H' 1 <expiry: 8 bytes, epoch ms> <bytes>}: the version in
 * the key keeps different formats of one namespace apart, the frame lets a reader reject anything it did
 * not write. Uses the {@code rate-limit.redis} connection settings (its own connection) and its timeout:
 * a {@link #get} that Redis does not answer in time is a miss, and while Redis is away every get misses
 * at once until a background probe finds it again.
 *
 * <pre>{@code
 * SharedCache shared = RedisSharedCache.create(redisSettings, Clock.systemUTC(), registry);
 * CrawlerVerifier verifier = CrawlerVerifier.builder().sharedCache(shared).build();
 * }</pre>
 */
public final class RedisSharedCache implements SharedCache {

    private static final byte[] MAGIC = {'G', 'H', 1};
    private static final int HEADER = MAGIC.length + Long.BYTES;

    private record Stored(byte[] value, long expiresAtMillis) {}

    private final RedisSettings settings;
    private final RedisLink link;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Cache<Key, Stored> local;
    private final Executor executor;

    private RedisSharedCache(Builder b) {
        this.settings = b.settings;
        this.clock = b.clock;
        this.registry = b.registry;
        this.executor = b.executor;
        this.link = new RedisLink(settings, "shared-cache", clock, registry, b.env, b.probeInterval);
        this.local = Caffeine.newBuilder()
                .maximumSize(b.localSize)
                .expireAfter(new Expiry<Key, Stored>() {
                    @Override
                    public long expireAfterCreate(Key key, Stored value, long currentTime) {
                        return left(value);
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Stored value, long currentTime, long currentDuration) {
                        return left(value);
                    }

                    @Override
                    public long expireAfterRead(Key key, Stored value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .executor(Runnable::run)
                .build();
    }

    /** A shared cache on the Redis of {@code settings}, with a local cache of 10 000 entries in front. */
    public static RedisSharedCache create(RedisSettings settings, Clock clock, MeterRegistry registry) {
        return builder(settings).clock(clock).meterRegistry(registry).build();
    }

    public static Builder builder(RedisSettings settings) {
        return new Builder(settings);
    }

    @Override
    public CompletableFuture<Optional<Entry>> get(Key key) {
        Objects.requireNonNull(key, "key");
        Stored near = local.getIfPresent(key);
        long now = clock.millis();
        if (near != null && near.expiresAtMillis() > now) {
            count(key, "local");
            return CompletableFuture.completedFuture(Optional.of(new Entry(near.value(), Duration.ofMillis(near.expiresAtMillis() - now))));
        }
        if (!link.isUp()) {
            count(key, "unavailable");
            return CompletableFuture.completedFuture(Optional.empty());
        }
        try {
            return link.commands().get(redisKey(key)).toCompletableFuture()
                    .orTimeout(settings.timeout().toNanos(), TimeUnit.NANOSECONDS)
                    // off Lettuce's I/O thread: what the caller chains next (a policy, a rate-limit store) may block
                    .handleAsync((bytes, error) -> {
                        if (error != null) {
                            link.failed(error);
                            count(key, "error");
                            return Optional.<Entry>empty();
                        }
                        Optional<Stored> stored = unframe(bytes);
                        long at = clock.millis();
                        if (stored.isEmpty() || stored.get().expiresAtMillis() <= at) {
                            count(key, "miss");
                            return Optional.<Entry>empty();
                        }
                        local.put(key, stored.get());
                        count(key, "hit");
                        return Optional.of(new Entry(stored.get().value(), Duration.ofMillis(stored.get().expiresAtMillis() - at)));
                    }, executor);
        } catch (RuntimeException e) {
            link.failed(e);
            count(key, "error");
            return CompletableFuture.completedFuture(Optional.empty());
        }
    }

    @Override
    public void put(Key key, byte[] value, Duration ttl) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(ttl, "ttl");
        long ttlMillis = ttl.toMillis();
        if (ttlMillis < 1) {
            return;
        }
        Stored stored = new Stored(value.clone(), clock.millis() + ttlMillis);
        local.put(key, stored);
        if (!link.isUp()) {
            return;
        }
        try {
            link.commands().set(redisKey(key), frame(stored), SetArgs.Builder.px(ttlMillis)).toCompletableFuture()
                    .orTimeout(Math.max(1_000, settings.timeout().toMillis()), TimeUnit.MILLISECONDS) // nobody waits: a write may take longer
                    .whenComplete((ok, error) -> {
                        if (error != null) {
                            link.failed(error);
                        }
                    });
        } catch (RuntimeException e) {
            link.failed(e);
        }
    }

    /** Whether Redis answers, for readiness pages (the cache only misses while it does not). */
    public boolean isDegraded() {
        return link.isDown();
    }

    /** One line for status pages. */
    public String describe() {
        return link.describe();
    }

    @Override
    public void close() {
        link.close();
        local.invalidateAll();
    }

    @Override
    public String toString() {
        return "RedisSharedCache[" + settings.safeUrl() + ", key-prefix " + settings.keyPrefix() + "]";
    }

    byte[] redisKey(Key key) {
        return (settings.keyPrefix() + ":sc:" + key.namespace() + ":v" + key.version() + ":" + key.id()).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] frame(Stored stored) {
        return ByteBuffer.allocate(HEADER + stored.value().length).put(MAGIC).putLong(stored.expiresAtMillis()).put(stored.value()).array();
    }

    private static Optional<Stored> unframe(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER || bytes[0] != MAGIC[0] || bytes[1] != MAGIC[1] || bytes[2] != MAGIC[2]) {
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, MAGIC.length, bytes.length - MAGIC.length);
        long expiresAt = buffer.getLong();
        byte[] value = new byte[buffer.remaining()];
        buffer.get(value);
        return Optional.of(new Stored(value, expiresAt));
    }

    private long left(Stored value) {
        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, value.expiresAtMillis() - clock.millis()));
    }

    private void count(Key key, String result) {
        registry.counter("gatehouse.shared.cache.gets", "namespace", key.namespace(), "result", result).increment();
    }

    /** Configures a {@link RedisSharedCache}; everything but the settings has a default. */
    public static final class Builder {
        private final RedisSettings settings;
        private Clock clock = Clock.systemUTC();
        private MeterRegistry registry = Metrics.globalRegistry;
        private Function<String, String> env = System::getenv;
        private Duration probeInterval = Duration.ofMillis(500);
        private long localSize = 10_000;
        private Executor executor = ForkJoinPool.commonPool();

        private Builder(RedisSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** The wall clock for expiry (default the system clock, UTC); instances of a fleet should agree on it (NTP). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
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

        /** Entries kept in the local cache in front of Redis (default 10 000; 0 turns it off). */
        public Builder localSize(long entries) {
            if (entries < 0) {
                throw new IllegalArgumentException("localSize must not be negative, was " + entries);
            }
            this.localSize = entries;
            return this;
        }

        /** Where a get completes (default the common pool; never Lettuce's I/O threads). */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public RedisSharedCache build() {
            return new RedisSharedCache(this);
        }
    }
}
