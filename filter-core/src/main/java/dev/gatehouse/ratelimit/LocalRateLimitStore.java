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
 * An in-process {@link RateLimitStore}: Bucket4j buckets in bounded Caffeine caches.
 *
 * <p>Memory is bounded twice: at most {@code maximumBuckets} entries (a flood of random addresses evicts
 * the coldest buckets instead of growing the heap), and each bucket expires once it has been idle for
 * as long as it takes to refill completely — at that point a fresh bucket is identical, so expiry never
 * changes a decision. Time comes from an injected nanosecond clock, so tests move time by hand.
 *
 * <p>Eviction must not hand an attacker a fresh bucket. A flood of one-request addresses is exactly
 * what a size-bounded cache evicts by recency and frequency, and an attacker that spent its budget and
 * paused is then as cold as any of them (Caffeine does not even count frequencies until the cache is
 * half full). So the buckets are kept in two tiers: every bucket starts in the <em>main</em> tier; a
 * bucket that has refused a request or has spent more than half its capacity is also kept in the
 * <em>spent</em> tier (a quarter of {@code maximumBuckets}), which is looked up first and which clients
 * sending a request or two never enter. A flood then evicts only buckets that are still more than half
 * full; forgetting one of those costs its client at most half a burst.
 */
public final class LocalRateLimitStore implements RateLimitStore {

    private record BucketKey(RateLimit limit, String key) {}

    private final Cache<BucketKey, Bucket> buckets; // main tier: every bucket, evicted by Caffeine's W-TinyLFU
    private final Cache<BucketKey, Bucket> spent;   // spent tier: buckets that carry a refusal, looked up first
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
        long spentTier = b.maximumBuckets / 4; // 0 below 4 buckets: one tier, as before
        this.buckets = cache(b.maximumBuckets - spentTier, nanoTime);
        this.spent = cache(spentTier, nanoTime);
    }

    private static Cache<BucketKey, Bucket> cache(long maximumSize, LongSupplier nanoTime) {
        return Caffeine.newBuilder()
                .maximumSize(maximumSize)
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
        BucketKey bucketKey = bucketKey(limit, key);
        Bucket spentBucket = spent.getIfPresent(bucketKey);
        Bucket bucket = spentBucket != null ? spentBucket : bucket(bucketKey);
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (spentBucket == null && (!probe.isConsumed() || probe.getRemainingTokens() * 2 < limit.capacity())) {
            spent.put(bucketKey, bucket); // from now on a flood in the main tier cannot reset it
        }
        return new RateLimitResult(probe.isConsumed(), probe.getRemainingTokens(),
                probe.isConsumed() ? 0 : probe.getNanosToWaitForRefill(), probe.getNanosToWaitForReset(), limit);
    }

    @Override
    public RateLimitResult peek(RateLimit limit, String key) {
        BucketKey bucketKey = bucketKey(limit, key);
        Bucket spentBucket = spent.getIfPresent(bucketKey);
        Bucket bucket = spentBucket != null ? spentBucket : bucket(bucketKey);
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
        spent.cleanUp();
        return buckets.estimatedSize() + spent.estimatedSize(); // a spent bucket may be in both: an upper bound
    }

    /** Buckets in the spent tier (those that refused a request or spent more than half their capacity). */
    long spentSize() {
        spent.cleanUp();
        return spent.estimatedSize();
    }

    private static BucketKey bucketKey(RateLimit limit, String key) {
        return new BucketKey(Objects.requireNonNull(limit, "limit"), Objects.requireNonNull(key, "key"));
    }

    private Bucket bucket(BucketKey bucketKey) {
        RateLimit limit = bucketKey.limit();
        return buckets.get(bucketKey, k -> Bucket.builder()
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

        /**
         * The most buckets held at once (default 100 000, about 10–20 MB); beyond it the coldest are
         * evicted, those that have refused a request or spent half their capacity last (a quarter of
         * the bound is kept for them).
         */
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
