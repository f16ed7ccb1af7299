package dev.gatehouse.net;

import java.util.Collection;

/**
 * Which socket peers may speak for a client in {@code X-Forwarded-For} / {@code Forwarded}.
 * STUB: owned by the net/servlet work; replace wholesale.
 */
@FunctionalInterface
public interface TrustedProxies {

    boolean isTrusted(IpAddress peer);

    /** Trust nobody: always use the socket address. */
    static TrustedProxies none() {
        return peer -> false;
    }

    /** Trust peers inside these prefixes. */
    static TrustedProxies from(Collection<Cidr> cidrs) {
        PrefixMap.Builder<Boolean> b = PrefixMap.builder();
        cidrs.forEach(c -> b.put(c, Boolean.TRUE));
        PrefixMap<Boolean> map = b.build();
        return map::containsAddress;
    }

    /** Trust 127.0.0.0/8 and ::1 (the demo, or a proxy on the same host). */
    static TrustedProxies loopback() {
        return from(java.util.List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));
    }
}
