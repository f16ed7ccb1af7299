package dev.gatehouse.ratelimit;

import java.util.Map;
import java.util.Objects;

/**
 * The outcome of asking a bucket for a token: exactly what a response needs, allowed or not.
 *
 * @param allowed        a token was available (and, unless peeked, taken)
 * @param remaining      tokens left after this request
 * @param nanosToRetry   when refused, how long until a token is available; 0 when allowed
 * @param nanosToReset   how long until the bucket is full again
 * @param limit          the limit asked
 */
public record RateLimitResult(boolean allowed, long remaining, long nanosToRetry, long nanosToReset, RateLimit limit) {

    public RateLimitResult {
        Objects.requireNonNull(limit, "limit");
        if (remaining < 0) {
            remaining = 0;
        }
    }

    /** Whole seconds to wait before retrying (at least 1 when refused), for {@code Retry-After}. */
    public long retryAfterSeconds() {
        return allowed ? 0 : Math.max(1, RateLimit.ceilSeconds(nanosToRetry));
    }

    /**
     * The response headers of draft-ietf-httpapi-ratelimit-headers: {@code RateLimit-Policy},
     * {@code RateLimit} ({@code r} remaining, {@code t} seconds until full), and {@code Retry-After}
     * when refused.
     */
    public Map<String, String> headers() {
        // an immutable map from the start: Decision.Response keeps it without copying
        String policy = limit.policyHeader();
        String state = "\"" + limit.name() + "\";r=" + remaining + ";t=" + RateLimit.ceilSeconds(nanosToReset);
        return allowed ? Map.of("RateLimit-Policy", policy, "RateLimit", state)
                : Map.of("RateLimit-Policy", policy, "RateLimit", state, "Retry-After", Long.toString(retryAfterSeconds()));
    }
}
