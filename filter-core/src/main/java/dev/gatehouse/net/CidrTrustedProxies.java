package dev.gatehouse.net;

import java.util.List;

/** Trusted proxies given as prefixes, looked up in a {@link PrefixMap}; prints its prefixes for logs. */
final class CidrTrustedProxies implements TrustedProxies {

    static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
    static final List<Cidr> PRIVATE = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.168.0.0/16"), Cidr.parse("fc00::/7"));

    private final List<Cidr> cidrs;
    private final PrefixMap<Boolean> map;

    private CidrTrustedProxies(List<Cidr> cidrs, PrefixMap<Boolean> map) {
        this.cidrs = cidrs;
        this.map = map;
    }

    static CidrTrustedProxies of(List<Cidr> cidrs) {
        PrefixMap.Builder<Boolean> b = PrefixMap.builder();
        cidrs.forEach(c -> b.put(c, Boolean.TRUE));
        return new CidrTrustedProxies(cidrs, b.build());
    }

    @Override
    public boolean isTrusted(IpAddress peer) {
        return map.containsAddress(peer);
    }

    @Override
    public String toString() {
        return cidrs.isEmpty() ? "TrustedProxies[none]" : "TrustedProxies" + cidrs;
    }
}
