package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.IpAddress;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * IP-to-ASN ranges as sorted primitive arrays (inclusive start/end), searched by binary search.
 * Organisation names are interned: the same string instance serves every range of an AS.
 */
final class AsnTable {

    /** One answer: the AS number, its organisation and the route (CIDR) that contains the address. */
    record Hit(int asn, String org, String route) {}

    static final AsnTable EMPTY = new Builder().build();

    private final int[] v4Start;  // sign-flipped for signed comparison
    private final int[] v4End;
    private final int[] v4Asn;
    private final String[] v4Org;
    private final long[] v6StartHi;
    private final long[] v6StartLo;
    private final long[] v6EndHi;
    private final long[] v6EndLo;
    private final int[] v6Asn;
    private final String[] v6Org;
    private final Buckets v4Buckets;
    private final Buckets v6Buckets;
    // Route text of ranges that are exactly one CIDR, filled on first use: hot ranges stop allocating.
    // Racy on purpose: two threads may compute the same immutable String; either copy is correct.
    private final String[] v4Route;
    private final String[] v6Route;

    private AsnTable(Builder b) {
        v4Start = Arrays.copyOf(b.v4Start, b.v4Size);
        v4End = Arrays.copyOf(b.v4End, b.v4Size);
        v4Asn = Arrays.copyOf(b.v4Asn, b.v4Size);
        v4Org = Arrays.copyOf(b.v4Org, b.v4Size);
        v6StartHi = Arrays.copyOf(b.v6StartHi, b.v6Size);
        v6StartLo = Arrays.copyOf(b.v6StartLo, b.v6Size);
        v6EndHi = Arrays.copyOf(b.v6EndHi, b.v6Size);
        v6EndLo = Arrays.copyOf(b.v6EndLo, b.v6Size);
        v6Asn = Arrays.copyOf(b.v6Asn, b.v6Size);
        v6Org = Arrays.copyOf(b.v6Org, b.v6Size);
        v4Route = new String[v4Start.length];
        v6Route = new String[v6StartHi.length];
        v4Buckets = new Buckets(v4Start.length, i -> (v4Start[i] ^ Integer.MIN_VALUE) >>> 16);
        v6Buckets = new Buckets(v6StartHi.length, i -> (int) (v6StartHi[i] >>> 48));
    }

    int size() {
        return v4Start.length + v6StartHi.length;
    }

    /** The range containing {@code ip}, or {@code null}. */
    Hit lookup(IpAddress ip) {
        if (ip.isV4()) {
            int key = ip.v4() ^ Integer.MIN_VALUE;
            int top = ip.v4() >>> 16;
            int from = v4Buckets.low(top);
            if (from < 0) {
                from = 0;
            }
            int i = Arrays.binarySearch(v4Start, from, v4Buckets.high(top) + 1, key);
            if (i < 0) {
                i = -i - 2;
            }
            if (i < 0 || key > v4End[i]) {
                return null;
            }
            String route = v4Route[i];
            if (route == null) {
                int start = v4Start[i] ^ Integer.MIN_VALUE;
                int end = v4End[i] ^ Integer.MIN_VALUE;
                route = routeV4(ip.v4(), start, end);
                if (isOneCidr(start & 0xFFFF_FFFFL, end & 0xFFFF_FFFFL)) {
                    v4Route[i] = route;
                }
            }
            return new Hit(v4Asn[i], v4Org[i], route);
        }
        long hi = ip.hi();
        long lo = ip.lo();
        int top = (int) (hi >>> 48);
        int low = Math.max(0, v6Buckets.low(top));
        int high = v6Buckets.high(top);
        int found = v6Buckets.low(top); // the last range before this bucket, or -1
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (compare(v6StartHi[mid], v6StartLo[mid], hi, lo) <= 0) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        if (found < 0 || compare(hi, lo, v6EndHi[found], v6EndLo[found]) > 0) {
            return null;
        }
        String route = v6Route[found];
        if (route == null) {
            route = routeV6(hi, lo, v6StartHi[found], v6StartLo[found], v6EndHi[found], v6EndLo[found]);
            if (route.equals(routeV6(v6StartHi[found], v6StartLo[found], v6StartHi[found], v6StartLo[found], v6EndHi[found],
                    v6EndLo[found])) && route.equals(routeV6(v6EndHi[found], v6EndLo[found], v6StartHi[found], v6StartLo[found],
                    v6EndHi[found], v6EndLo[found]))) {
                v6Route[found] = route;
            }
        }
        return new Hit(v6Asn[found], v6Org[found], route);
    }

    /** Whether the inclusive range [start, end] is exactly one CIDR block. */
    private static boolean isOneCidr(long start, long end) {
        long size = end - start + 1;
        return (size & (size - 1)) == 0 && (start & (size - 1)) == 0;
    }

    private static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    /**
     * The largest CIDR block that contains {@code ip} and lies inside {@code [start, end]}: the range
     * itself when it is one CIDR, otherwise the block of its CIDR decomposition that holds the address.
     */
    static String routeV4(int ip, int start, int end) {
        long s = start & 0xFFFF_FFFFL;
        long e = end & 0xFFFF_FFFFL;
        long a = ip & 0xFFFF_FFFFL;
        for (int len = 0; len <= 32; len++) {
            long host = (1L << (32 - len)) - 1;
            long blockStart = a & ~host & 0xFFFF_FFFFL;
            if (blockStart >= s && (blockStart | host) <= e) {
                return IpAddress.ofV4((int) blockStart) + "/" + len;
            }
        }
        throw new IllegalStateException("address outside its range");
    }

    static String routeV6(long hi, long lo, long sHi, long sLo, long eHi, long eLo) {
        for (int len = 0; len <= 128; len++) {
            long hostHi = len >= 64 ? 0L : len == 0 ? -1L : -1L >>> len;
            long hostLo = len <= 64 ? -1L : len == 128 ? 0L : -1L >>> (len - 64);
            long bHi = hi & ~hostHi;
            long bLo = lo & ~hostLo;
            if (compare(bHi, bLo, sHi, sLo) >= 0 && compare(bHi | hostHi, bLo | hostLo, eHi, eLo) <= 0) {
                return IpAddress.ofV6(bHi, bLo) + "/" + len;
            }
        }
        throw new IllegalStateException("address outside its range");
    }

    /** Collects ranges in file order; they must be sorted by start and must not overlap. */
    static final class Builder {
        private final Map<String, String> orgs = new HashMap<>();
        private int[] v4Start = new int[1024];
        private int[] v4End = new int[1024];
        private int[] v4Asn = new int[1024];
        private String[] v4Org = new String[1024];
        private int v4Size;
        private long[] v6StartHi = new long[256];
        private long[] v6StartLo = new long[256];
        private long[] v6EndHi = new long[256];
        private long[] v6EndLo = new long[256];
        private int[] v6Asn = new int[256];
        private String[] v6Org = new String[256];
        private int v6Size;

        /** Returns a problem description, or {@code null} when the range was added. */
        String addV4(int start, int end, int asn, String org) {
            int s = start ^ Integer.MIN_VALUE;
            int e = end ^ Integer.MIN_VALUE;
            if (s > e) {
                return "range start is after its end";
            }
            if (v4Size > 0 && s <= v4End[v4Size - 1]) {
                return "range overlaps or is out of order with the previous one";
            }
            if (v4Size == v4Start.length) {
                int cap = v4Size * 2;
                v4Start = Arrays.copyOf(v4Start, cap);
                v4End = Arrays.copyOf(v4End, cap);
                v4Asn = Arrays.copyOf(v4Asn, cap);
                v4Org = Arrays.copyOf(v4Org, cap);
            }
            v4Start[v4Size] = s;
            v4End[v4Size] = e;
            v4Asn[v4Size] = asn;
            v4Org[v4Size] = orgs.computeIfAbsent(org, o -> o);
            v4Size++;
            return null;
        }

        String addV6(IpAddress start, IpAddress end, int asn, String org) {
            if (compare(start.hi(), start.lo(), end.hi(), end.lo()) > 0) {
                return "range start is after its end";
            }
            if (v6Size > 0 && compare(start.hi(), start.lo(), v6EndHi[v6Size - 1], v6EndLo[v6Size - 1]) <= 0) {
                return "range overlaps or is out of order with the previous one";
            }
            if (v6Size == v6StartHi.length) {
                int cap = v6Size * 2;
                v6StartHi = Arrays.copyOf(v6StartHi, cap);
                v6StartLo = Arrays.copyOf(v6StartLo, cap);
                v6EndHi = Arrays.copyOf(v6EndHi, cap);
                v6EndLo = Arrays.copyOf(v6EndLo, cap);
                v6Asn = Arrays.copyOf(v6Asn, cap);
                v6Org = Arrays.copyOf(v6Org, cap);
            }
            v6StartHi[v6Size] = start.hi();
            v6StartLo[v6Size] = start.lo();
            v6EndHi[v6Size] = end.hi();
            v6EndLo[v6Size] = end.lo();
            v6Asn[v6Size] = asn;
            v6Org[v6Size] = orgs.computeIfAbsent(org, o -> o);
            v6Size++;
            return null;
        }

        int size() {
            return v4Size + v6Size;
        }

        AsnTable build() {
            return new AsnTable(this);
        }
    }
}
