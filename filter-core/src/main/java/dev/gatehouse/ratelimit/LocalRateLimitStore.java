package dev.gatehouse.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * An in-process {@link RateLimitStore}: Bucket4j buckets in a bounded Caffeine cache.
 *
 * <p>Memory is bounded twice: at most {@code maximumBuckets} entries (a flood of random addresses evicts
 * the coldest buckets instead of growing the heap), and each bucket expires once it has been idle for
 * as long as it takes to refill completely — at that point a fresh bucket is identical, so expiry never
 * changes a decision. Time comes from an injected nanosecond clock, so tests move time by hand.
 */
public final class LocalRateLimitStore implements RateLimitStore {

    private record BucketKey(RateLimit limit, String key) {}

    private final Cache<BucketKey, Bucket> buckets;
    private final TimeMeter timeMeter;

    private LocalRateLimitStore(Builder b) {
        LongSupplier nanoTime = b.nanoTime;
        this.timeMeter = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoTime.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        this.buckets = Caffeine.newBuilder()
                .maximumSize(b.maximumBuckets)
                .ticker(nanoTime::getAsLong)
                .expireAfter(new Expiry<BucketKey, Bucket>() {
                    @Override
                    public long expireAfterCreate(BucketKey key, Bucket value, long currentTime) {
                        return key.limit().fullRefill().toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(BucketKey key, Bucket value, long currentTime, long currentDuration) {
                        return key.limit().fullRefill().toNanos();
                    }

                    @Override
                    public long expireAfterRead(BucketKey key, Bucket value, long currentTime, long currentDuration) {
                        return key.limit().fullRefill().toNanos();
                    }
                })
                .executor(Runnable::run) // maintenance inline: no hidden threads, deterministic in tests
                .build();
    }

    /** A store with the defaults: 100 000 buckets, system nano time. */
    public static LocalRateLimitStore create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RateLimitResult tryConsume(RateLimit limit, String key) {
        ConsumptionProbe probe = bucket(limit, key).tryConsumeAndReturnRemaining(1);
        return new RateLimitResult(probe.isConsumed(), probe.getRemainingTokens(),
                probe.isConsumed() ? 0 : probe.getNanosToWaitForRefill(), probe.getNanosToWaitForReset(), limit);
    }

    @Override
    public RateLimitResult peek(RateLimit limit, String key) {
        Bucket bucket = bucket(limit, key);
        EstimationProbe probe = bucket.estimateAbilityToConsume(1);
        long remaining = probe.getRemainingTokens();
        long missing = limit.capacity() - remaining;
        long toReset = missing <= 0 ? 0 : limit.period().toNanos() * missing / limit.refillTokens();
        return new RateLimitResult(probe.canBeConsumed(), remaining, probe.canBeConsumed() ? 0 : probe.getNanosToWaitForRefill(),
                toReset, limit);
    }

    @Override
    public long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private Bucket bucket(RateLimit limit, String key) {
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(key, "key");
        return buckets.get(new BucketKey(limit, key), k -> Bucket.builder()
                .addLimit(bandwidth -> bandwidth.capacity(limit.capacity()).refillGreedy(limit.refillTokens(), limit.period()))
                .withCustomTimePrecision(timeMeter)
                .build());
    }

    /** Configures a {@link LocalRateLimitStore}; every setting is checked when it is made. */
    public static final class Builder {
        private long maximumBuckets = 100_000;
        private LongSupplier nanoTime = System::nanoTime;

        private Builder() {
        }

        /** The most buckets held at once (default 100 000, about 10–20 MB); the coldest are evicted beyond it. */
        public Builder maximumBuckets(long maximumBuckets) {
            if (maximumBuckets < 1) {
                throw new IllegalArgumentException("maximumBuckets must be at least 1, was " + maximumBuckets);
            }
            this.maximumBuckets = maximumBuckets;
            return this;
        }

        /** The clock for refills and expiry, in nanoseconds; tests pass a fake they advance by hand. */
        public Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        public LocalRateLimitStore build() {
            return new LocalRateLimitStore(this);
        }
    }
}
