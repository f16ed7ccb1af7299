package dev.gatehouse.engine.provider;

import java.time.Instant;

/**
 * Why a provider gave no answer. The kind decides what follows: a rejected key or a plan that lacks
 * the endpoint turns the provider off, a rate limit stops calls until {@link #until()}, an outage
 * counts against the circuit breaker, a skipped call (quota, breaker open, concurrency) counts for
 * nothing. Messages never contain the API key.
 */
final class ProviderException extends RuntimeException {

    enum Kind {
        /** 401 / 403: the key is missing, invalid or revoked; the provider is turned off until the configuration changes. */
        KEY_REJECTED(true, false),
        /** 403 with {@code allowed_plans} / {@code PRO_REQUIRED}: the plan lacks what we ask for; turned off likewise. */
        PLAN_GATED(true, false),
        /** 429, or usage counters at their limit: no calls until the window resets. */
        RATE_LIMITED(false, false),
        /** 5xx, a network error, a call timeout, a malformed or oversized body: counts against the breaker. */
        UNAVAILABLE(false, true),
        /** Not called: quota spent, breaker open, concurrency limit reached, provider off or cooling down. */
        SKIPPED(false, false);

        final boolean disables;
        final boolean breakerFailure;

        Kind(boolean disables, boolean breakerFailure) {
            this.disables = disables;
            this.breakerFailure = breakerFailure;
        }
    }

    private final Kind kind;
    private final Instant until;

    ProviderException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    ProviderException(Kind kind, String message, Instant until, Throwable cause) {
        super(message, cause, false, false); // no stack trace: these are expected outcomes, logged as one line
        this.kind = kind;
        this.until = until;
    }

    Kind kind() {
        return kind;
    }

    /** For {@link Kind#RATE_LIMITED}: when calls may resume; {@code null} when the provider did not say. */
    Instant until() {
        return until;
    }
}
