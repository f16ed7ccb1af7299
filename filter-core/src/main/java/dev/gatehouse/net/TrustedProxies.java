package dev.gatehouse.net;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which socket peers may speak for a client in {@code X-Forwarded-For} / {@code Forwarded}: your own
 * load balancers and reverse proxies, nothing else. A peer that is not trusted is the client, whatever
 * its headers say.
 *
 * <pre>{@code
 * TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "loopback"));
 * proxies.isTrusted(IpAddress.parse("10.1.2.3"));   // true
 * }</pre>
 */
@FunctionalInterface
public interface TrustedProxies {

    /** The named sets {@link #parse} understands, besides CIDRs and bare addresses. */
    List<String> NAMED_SETS = List.of("loopback", "private", "none");

    /** Whether {@code peer} is one of your proxies. */
    boolean isTrusted(IpAddress peer);

    /** Trust nobody: always use the socket address (the default; right when clients connect directly). */
    static TrustedProxies none() {
        return CidrTrustedProxies.of(List.of());
    }

    /** Trust peers inside these prefixes. */
    static TrustedProxies from(Collection<Cidr> cidrs) {
        Objects.requireNonNull(cidrs, "cidrs");
        return CidrTrustedProxies.of(List.copyOf(cidrs));
    }

    /** Trust 127.0.0.0/8 and ::1 (the demo, or a proxy on the same host). */
    static TrustedProxies loopback() {
        return from(CidrTrustedProxies.LOOPBACK);
    }

    /**
     * Trust the private ranges: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918) and fc00::/7
     * (RFC 4193). Right when every host on your internal network is a proxy you run; wrong when
     * untrusted clients can reach the application from inside it.
     */
    static TrustedProxies privateNetworks() {
        return from(CidrTrustedProxies.PRIVATE);
    }

    /**
     * Parses an operator's list: each entry is a CIDR ({@code 10.0.0.0/8}), a bare address (a /32 or
     * /128) or a named set: {@code loopback}, {@code private} (see {@link #privateNetworks()}) or
     * {@code none}. Surrounding white space is trimmed and blank entries are skipped. CIDRs are parsed
     * strictly ({@link Cidr#parse}): host bits set is an error, as in a hand-written list it is a typo.
     *
     * @throws IllegalArgumentException listing every bad entry with its position and what is wrong
     */
    static TrustedProxies parse(List<String> entries) {
        Objects.requireNonNull(entries, "entries");
        List<Cidr> cidrs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String raw = entries.get(i);
            String entry = raw == null ? "" : raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            switch (entry.toLowerCase(Locale.ROOT)) {
                case "loopback" -> cidrs.addAll(CidrTrustedProxies.LOOPBACK);
                case "private" -> cidrs.addAll(CidrTrustedProxies.PRIVATE);
                case "none" -> { }
                default -> {
                    try {
                        cidrs.add(Cidr.parse(entry));
                    } catch (IllegalArgumentException e) {
                        String hint = Character.isLetter(entry.charAt(0)) && entry.indexOf(':') < 0
                                ? " (hostnames are not accepted; named sets are " + String.join(", ", NAMED_SETS) + ")" : "";
                        problems.add("trusted proxy #" + (i + 1) + ": " + e.getMessage() + hint);
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return from(cidrs);
    }

    /** Trusts a peer that this or {@code other} trusts. */
    default TrustedProxies or(TrustedProxies other) {
        Objects.requireNonNull(other, "other");
        TrustedProxies self = this;
        return new TrustedProxies() {
            @Override
            public boolean isTrusted(IpAddress peer) {
                return self.isTrusted(peer) || other.isTrusted(peer);
            }

            @Override
            public String toString() {
                return self + " or " + other;
            }
        };
    }
}
