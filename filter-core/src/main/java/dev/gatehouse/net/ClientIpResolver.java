package dev.gatehouse.net;

import java.util.List;
import java.util.Objects;

/**
 * Finds the real client address of a request. STUB: owned by the net/servlet work; replace wholesale
 * (keep the public signatures).
 */
public final class ClientIpResolver {

    private final TrustedProxies trusted;

    private ClientIpResolver(TrustedProxies trusted) {
        this.trusted = Objects.requireNonNull(trusted, "trusted");
    }

    public static ClientIpResolver trusting(TrustedProxies trusted) {
        return new ClientIpResolver(trusted);
    }

    /**
     * @param peer            the socket peer address
     * @param xForwardedFor   every {@code X-Forwarded-For} header value, in arrival order
     * @param forwarded       every {@code Forwarded} (RFC 7239) header value, in arrival order
     */
    public IpAddress resolve(IpAddress peer, List<String> xForwardedFor, List<String> forwarded) {
        return peer;
    }
}
