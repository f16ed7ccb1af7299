package dev.gatehouse.ratelimit;

import java.util.Objects;

/**
 * What a {@link RateLimitStore} reports for readiness pages: which store, whether it decides as
 * configured, and why not. A store that falls back (Redis away, decisions from the configured
 * fallback) is still ready — it keeps answering — so adapters show this as a detail, not a failure.
 *
 * @param store     {@code local} or {@code redis}
 * @param degraded  {@code true} while decisions come from a fallback instead of the configured store
 * @param detail    one line for operators, e.g. {@code "redis://10.0.0.5:6379 unreachable since 10:02:11Z; fallback local"}
 */
public record StoreStatus(String store, boolean degraded, String detail) {

    public StoreStatus {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(detail, "detail");
    }

    /** A store working as configured. */
    public static StoreStatus up(String store, String detail) {
        return new StoreStatus(store, false, detail);
    }
}
