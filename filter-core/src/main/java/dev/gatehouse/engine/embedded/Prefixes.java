package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;

import java.util.Arrays;

/**
 * A growable list of prefixes held in parallel primitive arrays (no Cidr objects kept), the parsed form
 * of one range data set. A prefix may be marked <em>negative</em>: it says "not in this list" and
 * overrides a shorter positive prefix (used for globally reachable holes in the special-use registries).
 */
final class Prefixes {

    private long[] hi = new long[64];
    private long[] lo = new long[64];
    private int[] meta = new int[64]; // bits 0-7 prefix length, bit 8 IPv6, bit 9 negative
    private int size;

    /** Prefixes from arrays written by {@link PrefixBundle}. */
    static Prefixes of(long[] hi, long[] lo, int[] meta) {
        Prefixes p = new Prefixes();
        p.hi = hi;
        p.lo = lo;
        p.meta = meta;
        p.size = hi.length;
        return p;
    }

    /** The packed length/family/negative bits of entry {@code i}, for {@link PrefixBundle}. */
    int meta(int i) {
        return meta[i];
    }

    void add(Cidr cidr) {
        add(cidr, false);
    }

    void add(Cidr cidr, boolean negative) {
        IpAddress n = cidr.network();
        add(n.hi(), n.lo(), cidr.prefixLength(), !n.isV4(), negative);
    }

    /** An IPv4 prefix whose host bits are already clear. */
    void addV4(int network, int length, boolean negative) {
        add(0L, network & 0xFFFF_FFFFL, length, false, negative);
    }

    /** An IPv6 prefix whose host bits are already clear. */
    void addV6(long hi, long lo, int length, boolean negative) {
        add(hi, lo, length, true, negative);
    }

    private void add(long h, long l, int length, boolean v6, boolean negative) {
        if (size == hi.length) {
            int cap = size * 2;
            hi = Arrays.copyOf(hi, cap);
            lo = Arrays.copyOf(lo, cap);
            meta = Arrays.copyOf(meta, cap);
        }
        hi[size] = h;
        lo[size] = l;
        meta[size] = length | (v6 ? 0x100 : 0) | (negative ? 0x200 : 0);
        size++;
    }

    int size() {
        return size;
    }

    boolean isV6(int i) {
        return (meta[i] & 0x100) != 0;
    }

    boolean isNegative(int i) {
        return (meta[i] & 0x200) != 0;
    }

    int length(int i) {
        return meta[i] & 0xFF;
    }

    long hi(int i) {
        return hi[i];
    }

    long lo(int i) {
        return lo[i];
    }

    /** Trims the arrays to size, once parsing is done. */
    Prefixes compact() {
        hi = Arrays.copyOf(hi, size);
        lo = Arrays.copyOf(lo, size);
        meta = Arrays.copyOf(meta, size);
        return this;
    }
}
