package dev.gatehouse.engine.provider;

/**
 * A provider's state for health and readiness pages: {@code up}, {@code off} (key rejected or plan
 * lacking: until the configuration changes), {@code paused} (rate limited until a reset time),
 * {@code breaker_open} / {@code breaker_half_open} (recent failures). {@code detail} is one line that
 * never contains the API key.
 */
public record ProviderHealth(String provider, String state, String detail) {

    /** Whether requests may use this provider now. */
    public boolean up() {
        return "up".equals(state) || "breaker_half_open".equals(state);
    }
}
