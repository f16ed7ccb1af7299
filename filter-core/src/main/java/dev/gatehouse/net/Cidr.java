package dev.gatehouse.net;

import java.util.Objects;

/**
 * An IP prefix such as {@code 192.0.2.0/24} or {@code 2001:db8::/32}. Host bits must be zero unless
 * parsed leniently; a bare address is a /32 or /128.
 */
public final class Cidr {

    private final IpAddress network;
    private final int prefixLength;

    private Cidr(IpAddress network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * The prefix of {@code address} with {@code prefixLength} bits; host bits are cleared.
     *
     * @throws IllegalArgumentException when the length is outside 0..32 (IPv4) or 0..128 (IPv6)
     */
    public static Cidr of(IpAddress address, int prefixLength) {
        Objects.requireNonNull(address, "address");
        if (prefixLength < 0 || prefixLength > address.bitLength()) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + address.bitLength()
                    + " for IPv" + address.version());
        }
        return new Cidr(mask(address, prefixLength), prefixLength);
    }

    /**
     * Parses {@code a.b.c.d/n}, {@code x::y/n} or a bare address. Host bits set below the prefix
     * ({@code 10.0.0.1/8}) are rejected: in an operator's list they are usually a typo.
     */
    public static Cidr parse(String text) {
        Cidr cidr = parseLenient(text);
        // parseLenient succeeded, so the address part parses; an IPv4-mapped prefix compares as IPv4
        IpAddress given = IpAddress.parse(text.substring(0, slash(text)));
        if (!given.equals(cidr.network)) {
            throw new IllegalArgumentException("invalid CIDR '" + IpAddress.printable(text) + "': host bits are set (did you mean "
                    + cidr + "?)");
        }
        return cidr;
    }

    /** Like {@link #parse} but clears host bits instead of rejecting them, for vendor data that is sloppy. */
    public static Cidr parseLenient(String text) {
        Objects.requireNonNull(text, "text");
        int slash = slash(text);
        IpAddress address;
        try {
            address = IpAddress.parse(text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CIDR '" + IpAddress.printable(text) + "': " + e.getMessage(), e);
        }
        if (slash == text.length()) {
            return new Cidr(address, address.bitLength());
        }
        String len = text.substring(slash + 1);
        if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')
                || (len.length() > 1 && len.charAt(0) == '0')) {
            throw new IllegalArgumentException("invalid CIDR '" + IpAddress.printable(text) + "': prefix length '"
                    + IpAddress.printable(len) + "' is not a number");
        }
        int n = Integer.parseInt(len);
        boolean mapped = address.isV4() && text.indexOf(':') >= 0;
        if (mapped) { // ::ffff:10.0.0.0/104 is the IPv4 prefix 10.0.0.0/8
            if (n < 96) {
                throw new IllegalArgumentException("invalid CIDR '" + IpAddress.printable(text)
                        + "': an IPv4-mapped prefix must be /96 or longer");
            }
            n -= 96;
        }
        try {
            return of(address, n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CIDR '" + IpAddress.printable(text) + "': " + e.getMessage(), e);
        }
    }

    private static int slash(String text) {
        int slash = text.indexOf('/');
        return slash < 0 ? text.length() : slash;
    }

    private static IpAddress mask(IpAddress a, int bits) {
        if (a.isV4()) {
            int m = bits == 0 ? 0 : -1 << (32 - bits);
            return IpAddress.ofV4(a.v4() & m);
        }
        long hiMask = bits >= 64 ? -1L : bits == 0 ? 0L : -1L << (64 - bits);
        long loMask = bits <= 64 ? 0L : bits == 128 ? -1L : -1L << (128 - bits);
        return IpAddress.ofV6(a.hi() & hiMask, a.lo() & loMask);
    }

    public IpAddress network() {
        return network;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public int version() {
        return network.version();
    }

    /** Whether {@code address} lies in this prefix; an address of the other family never does. */
    public boolean contains(IpAddress address) {
        return address.version() == network.version() && mask(address, prefixLength).equals(network);
    }

    /** Whether {@code other} lies wholly inside this prefix. */
    public boolean contains(Cidr other) {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    /**
     * The last address of the prefix. For an IPv6 prefix that ends inside the IPv4-mapped block
     * {@code ::ffff:0:0/96} (such as {@code ::/80}) that is the IPv4 address 255.255.255.255, which the
     * prefix does not {@linkplain #contains(IpAddress) contain}: mapped addresses are IPv4.
     */
    public IpAddress last() {
        if (network.isV4()) {
            int hostMask = prefixLength == 0 ? -1 : prefixLength == 32 ? 0 : -1 >>> prefixLength;
            return IpAddress.ofV4(network.v4() | hostMask);
        }
        long hiHost = prefixLength >= 64 ? 0L : prefixLength == 0 ? -1L : -1L >>> prefixLength;
        long loHost = prefixLength <= 64 ? -1L : prefixLength == 128 ? 0L : -1L >>> (prefixLength - 64);
        return IpAddress.ofV6(network.hi() | hiHost, network.lo() | loHost);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && c.network.equals(network);
    }

    @Override
    public int hashCode() {
        return network.hashCode() * 131 + prefixLength;
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }
}
