package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.IpAddress;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
    // The last route text computed in each range, with the block it names, so hot ranges stop allocating.
    // A range that is not one CIDR has several blocks: the cache holds the latest and is checked before use.
    // Racy on purpose: entries are immutable and replaced by one reference write; any copy seen is correct.
    private final Route[] v4Route;
    private final Route[] v6Route;

    /** A cached route: the block {@code (hi, lo)/length} and its text. */
    private record Route(long hi, long lo, int length, String text) {
        boolean contains(long h, long l) {
            long hiMask = length >= 64 ? -1L : length == 0 ? 0L : -1L << (64 - length);
            long loMask = length <= 64 ? 0L : length == 128 ? -1L : -1L << (128 - length);
            return (h & hiMask) == hi && (l & loMask) == lo;
        }
    }

    private AsnTable(int[] v4Start, int[] v4End, int[] v4Asn, String[] v4Org, long[] v6StartHi, long[] v6StartLo,
                     long[] v6EndHi, long[] v6EndLo, int[] v6Asn, String[] v6Org) {
        this.v4Start = v4Start;
        this.v4End = v4End;
        this.v4Asn = v4Asn;
        this.v4Org = v4Org;
        this.v6StartHi = v6StartHi;
        this.v6StartLo = v6StartLo;
        this.v6EndHi = v6EndHi;
        this.v6EndLo = v6EndLo;
        this.v6Asn = v6Asn;
        this.v6Org = v6Org;
        v4Route = new Route[v4Start.length];
        v6Route = new Route[v6StartHi.length];
        v4Buckets = new Buckets(v4Start.length, i -> (v4Start[i] ^ Integer.MIN_VALUE) >>> 16);
        v6Buckets = new Buckets(v6StartHi.length, i -> (int) (v6StartHi[i] >>> 48));
    }

    /**
     * Writes the table in the precompiled bundle format (see {@link #read}): column arrays, organisation
     * names once each. Loading it costs a fraction of parsing the CSV.
     */
    void write(DataOutputStream out) throws IOException {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (String o : v4Org) {
            ids.putIfAbsent(o, ids.size());
        }
        for (String o : v6Org) {
            ids.putIfAbsent(o, ids.size());
        }
        out.writeInt(MAGIC);
        out.writeInt(v4Start.length);
        out.writeInt(v6StartHi.length);
        out.writeInt(ids.size());
        for (String o : ids.keySet()) {
            out.writeUTF(o);
        }
        ByteBuffer buf = ByteBuffer.allocate(8 * Math.max(v4Start.length, v6StartHi.length));
        writeInts(out, buf, v4Start);
        writeInts(out, buf, v4End);
        writeInts(out, buf, v4Asn);
        writeInts(out, buf, Arrays.stream(v4Org).mapToInt(ids::get).toArray());
        writeLongs(out, buf, v6StartHi);
        writeLongs(out, buf, v6StartLo);
        writeLongs(out, buf, v6EndHi);
        writeLongs(out, buf, v6EndLo);
        writeInts(out, buf, v6Asn);
        writeInts(out, buf, Arrays.stream(v6Org).mapToInt(ids::get).toArray());
    }

    /** Reads what {@link #write} wrote. */
    static AsnTable read(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a Gatehouse ASN table (bad magic)");
        }
        int n4 = in.readInt();
        int n6 = in.readInt();
        int orgCount = in.readInt();
        if (n4 < 0 || n6 < 0 || orgCount < 0 || n4 > 50_000_000 || n6 > 50_000_000) {
            throw new IOException("corrupt ASN table header");
        }
        String[] orgs = new String[orgCount];
        for (int i = 0; i < orgCount; i++) {
            orgs[i] = in.readUTF();
        }
        byte[] bytes = new byte[8 * Math.max(n4, n6)];
        int[] v4Start = readInts(in, bytes, n4);
        int[] v4End = readInts(in, bytes, n4);
        int[] v4Asn = readInts(in, bytes, n4);
        String[] v4Org = orgsOf(readInts(in, bytes, n4), orgs);
        long[] startHi = readLongs(in, bytes, n6);
        long[] startLo = readLongs(in, bytes, n6);
        long[] endHi = readLongs(in, bytes, n6);
        long[] endLo = readLongs(in, bytes, n6);
        int[] v6Asn = readInts(in, bytes, n6);
        String[] v6Org = orgsOf(readInts(in, bytes, n6), orgs);
        return new AsnTable(v4Start, v4End, v4Asn, v4Org, startHi, startLo, endHi, endLo, v6Asn, v6Org);
    }

    private static final int MAGIC = 0x47484153; // "GHAS"

    private static void writeInts(DataOutputStream out, ByteBuffer buf, int[] values) throws IOException {
        buf.clear();
        buf.asIntBuffer().put(values);
        out.write(buf.array(), 0, 4 * values.length);
    }

    private static void writeLongs(DataOutputStream out, ByteBuffer buf, long[] values) throws IOException {
        buf.clear();
        buf.asLongBuffer().put(values);
        out.write(buf.array(), 0, 8 * values.length);
    }

    private static int[] readInts(DataInputStream in, byte[] bytes, int n) throws IOException {
        in.readFully(bytes, 0, 4 * n);
        int[] out = new int[n];
        ByteBuffer.wrap(bytes, 0, 4 * n).asIntBuffer().get(out);
        return out;
    }

    private static long[] readLongs(DataInputStream in, byte[] bytes, int n) throws IOException {
        in.readFully(bytes, 0, 8 * n);
        long[] out = new long[n];
        ByteBuffer.wrap(bytes, 0, 8 * n).asLongBuffer().get(out);
        return out;
    }

    private static String[] orgsOf(int[] ids, String[] orgs) throws IOException {
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= orgs.length) {
                throw new IOException("corrupt ASN table: organisation index " + ids[i]);
            }
            out[i] = orgs[ids[i]];
        }
        return out;
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
            long a = ip.v4() & 0xFFFF_FFFFL;
            Route route = v4Route[i];
            if (route == null || !route.contains(a << 32, 0L)) { // IPv4 sits in the top 32 bits
                String text = routeV4(ip.v4(), v4Start[i] ^ Integer.MIN_VALUE, v4End[i] ^ Integer.MIN_VALUE);
                int length = Integer.parseInt(text, text.indexOf('/') + 1, text.length(), 10);
                long mask = length == 0 ? 0L : (-1L << (32 - length)) & 0xFFFF_FFFFL;
                route = new Route((a & mask) << 32, 0L, length, text);
                v4Route[i] = route;
            }
            return new Hit(v4Asn[i], v4Org[i], route.text());
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
        Route route = v6Route[found];
        if (route == null || !route.contains(hi, lo)) {
            String text = routeV6(hi, lo, v6StartHi[found], v6StartLo[found], v6EndHi[found], v6EndLo[found]);
            int length = Integer.parseInt(text, text.indexOf('/') + 1, text.length(), 10);
            long hiMask = length >= 64 ? -1L : length == 0 ? 0L : -1L << (64 - length);
            long loMask = length <= 64 ? 0L : length == 128 ? -1L : -1L << (128 - length);
            route = new Route(hi & hiMask, lo & loMask, length, text);
            v6Route[found] = route;
        }
        return new Hit(v6Asn[found], v6Org[found], route.text());
    }

    /** Whether the inclusive 128-bit range [start, end] is exactly one CIDR block: start ^ end is a run of low ones. */
    static boolean isOneCidr(long sHi, long sLo, long eHi, long eLo) {
        long dHi = sHi ^ eHi;
        long dLo = sLo ^ eLo;
        boolean lowOnes = dHi == 0 ? (dLo & (dLo + 1)) == 0 : dLo == -1L && (dHi & (dHi + 1)) == 0;
        return lowOnes && (sHi & dHi) == 0 && (sLo & dLo) == 0;
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
            return new AsnTable(Arrays.copyOf(v4Start, v4Size), Arrays.copyOf(v4End, v4Size), Arrays.copyOf(v4Asn, v4Size),
                    Arrays.copyOf(v4Org, v4Size), Arrays.copyOf(v6StartHi, v6Size), Arrays.copyOf(v6StartLo, v6Size),
                    Arrays.copyOf(v6EndHi, v6Size), Arrays.copyOf(v6EndLo, v6Size), Arrays.copyOf(v6Asn, v6Size),
                    Arrays.copyOf(v6Org, v6Size));
        }
    }
}
