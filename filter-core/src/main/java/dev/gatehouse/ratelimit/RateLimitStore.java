package dev.gatehouse.ratelimit;

/**
 * Where token buckets live. One bucket per ({@link RateLimit}, key) pair: the same key under a changed
 * limit is a different bucket. Implementations are thread-safe and bounded in memory; every
 * implementation passes the same contract test suite ({@code AbstractRateLimitStoreContractTest}).
 *
 * <pre>{@code
 * RateLimitStore store = LocalRateLimitStore.builder().maximumBuckets(100_000).build();
 * RateLimitResult result = store.tryConsume(limit, "ip:192.0.2.7");
 * if (!result.allowed()) { ... 429 with result.headers() ... }
 * }</pre>
 */
public interface RateLimitStore extends AutoCloseable {

    /** Takes one token from the bucket of {@code key} under {@code limit}, creating a full bucket if needed. */
    RateLimitResult tryConsume(RateLimit limit, String key);

    /** Whether a token is available, without taking it (for {@code explain}). */
    RateLimitResult peek(RateLimit limit, String key);

    /** Approximate number of buckets held, for metrics and tests of the bound. */
    long size();

    /** For readiness pages: whether this store decides as configured or falls back, and why. */
    default StoreStatus status() {
        return StoreStatus.up("local", "in-process buckets");
    }

    @Override
    default void close() {
    }
}
