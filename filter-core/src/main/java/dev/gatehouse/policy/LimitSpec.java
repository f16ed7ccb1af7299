package dev.gatehouse.policy;

import dev.gatehouse.api.RequestFacts;
import dev.gatehouse.api.Signal;
import dev.gatehouse.api.Signals;
import dev.gatehouse.api.Verdict;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import dev.gatehouse.ratelimit.RateLimit;

import java.util.List;

/**
 * A named limit of a policy: the bucket shape, what a bucket is keyed by, and what exceeding it yields.
 *
 * @param limit     the bucket shape
 * @param key       the parts of the bucket key, e.g. {@code ip_prefix} and {@code header:x-api-key}
 * @param ipv4Prefix prefix length for {@code ip_prefix} on IPv4 (default 24; 32 keys each address)
 * @param ipv6Prefix prefix length for {@code ip_prefix} on IPv6 (default 64, what one subscriber or host holds)
 * @param onExceed  {@link Verdict#RATE_LIMIT} (429, the default) or {@link Verdict#BLOCK}
 */
record LimitSpec(RateLimit limit, List<KeyPart> key, int ipv4Prefix, int ipv6Prefix, Verdict onExceed) {

    static final int DEFAULT_IPV4_PREFIX = 24;
    static final int DEFAULT_IPV6_PREFIX = 64;

    /** One part of a bucket key. */
    record KeyPart(Kind kind, String header) {
        enum Kind { IP, IP_PREFIX, ASN, HEADER }

        @Override
        public String toString() {
            return kind == Kind.HEADER ? "header:" + header : kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The bucket key of this request, e.g. {@code ip_prefix=192.0.2.0/24}. A missing part (no such header,
     * unknown ASN) is empty, so such requests share one bucket per limit.
     */
    String keyOf(RequestFacts request, Signals signals) {
        StringBuilder b = new StringBuilder(48);
        for (int i = 0; i < key.size(); i++) {
            KeyPart part = key.get(i);
            if (i > 0) {
                b.append('|');
            }
            b.append(part).append('=');
            switch (part.kind()) {
                case IP -> b.append(signals.ip());
                case IP_PREFIX -> {
                    IpAddress ip = signals.ip();
                    b.append(Cidr.of(ip, ip.isV4() ? ipv4Prefix : ipv6Prefix));
                }
                case ASN -> {
                    Object asn = signals.value(Signal.ASN);
                    b.append(asn == null ? "" : asn);
                }
                case HEADER -> {
                    String v = request.header(part.header());
                    b.append(v == null ? "" : v.length() > 256 ? v.substring(0, 256) : v);
                }
            }
        }
        return b.toString();
    }
}
