package dev.gatehouse.net;

/**
 * Which forwarding headers a {@link ClientIpResolver} honours from a trusted peer. Honour only the
 * header your proxies actually write <em>and overwrite or append to</em>: a header your proxy passes
 * through untouched is written by the client, and a client can put any address in it.
 */
public enum ForwardedHeaders {
    /** {@code X-Forwarded-For} only (nginx, HAProxy, most cloud load balancers). The default. */
    X_FORWARDED_FOR,
    /** RFC 7239 {@code Forwarded} only. */
    FORWARDED,
    /**
     * {@code Forwarded} when the request has one, else {@code X-Forwarded-For}. Safe only when your
     * proxies write (or strip) both: otherwise a client-sent {@code Forwarded} wins over the
     * {@code X-Forwarded-For} your proxy appended.
     */
    BOTH
}
