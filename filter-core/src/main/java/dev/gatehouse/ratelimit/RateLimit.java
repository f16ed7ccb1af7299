package dev.gatehouse.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A token-bucket limit: up to {@code capacity} requests at once, refilled by {@code refillTokens}
 * every {@code period} (greedily, a token at a time). Immutable; validated at construction.
 *
 * <pre>{@code
 * RateLimit perMinute = new RateLimit("anonymous", 60, 60, Duration.ofMinutes(1));
 * }</pre>
 *
 * @param name         the name operators see in {@code RateLimit-Policy}; letters, digits, {@code -} and {@code _}
 * @param capacity     the burst size, at least 1
 * @param refillTokens tokens added per period, at least 1
 * @param period       the refill period, at least one millisecond
 */
public record RateLimit(String name, long capacity, long refillTokens, Duration period) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    public RateLimit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(period, "period");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("limit name must be letters, digits, '-' or '_' (at most 64), was '" + name + "'");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity of limit " + name + " must be at least 1, was " + capacity);
        }
        if (refillTokens < 1) {
            throw new IllegalArgumentException("refill of limit " + name + " must be at least 1, was " + refillTokens);
        }
        if (period.toMillis() < 1) {
            throw new IllegalArgumentException("period of limit " + name + " must be at least 1ms, was " + period);
        }
    }

    /** How long an empty bucket takes to fill up again; a bucket idle that long is as good as new. */
    public Duration fullRefill() {
        // ceil(capacity / refillTokens) periods, computed in nanoseconds without overflow for sane inputs
        long periods = (capacity + refillTokens - 1) / refillTokens;
        return period.multipliedBy(periods);
    }

    /** The IETF {@code RateLimit-Policy} field value: {@code "name";q=capacity;w=seconds}. */
    public String policyHeader() {
        return "\"" + name + "\";q=" + capacity + ";w=" + ceilSeconds(fullRefill().toNanos());
    }

    static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
