package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.IpAddress;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * IP-to-country as sorted range starts with a one-byte country index each: a range lasts until the next
 * start, and gaps between the source's ranges are ranges of "no country" (index 0). About 5 bytes per
 * IPv4 range and 17 per IPv6 range: the ~550,000 ranges of the geo-whois-asn-country tables take ~6 MB.
 *
 * <p>Bundle format ({@link #write}, {@link #read}): magic, the country codes, then per family the count,
 * the starts as unsigned deltas in variable-length bytes, and the country indexes. Gzipped, it is a
 * fraction of the CSVs.
 */
final class CountryTable {

    static final CountryTable EMPTY = new Builder().build();

    private static final int MAGIC = 0x47484343; // "GHCC"

    private final String[] codes;   // index 0 = no country
    private final int[] v4Start;    // sign-flipped for signed comparison
    private final byte[] v4Code;
    private final long[] v6StartHi;
    private final long[] v6StartLo;
    private final byte[] v6Code;
    private final Buckets v4Buckets;
    private final Buckets v6Buckets;

    private CountryTable(String[] codes, int[] v4Start, byte[] v4Code, long[] v6StartHi, long[] v6StartLo, byte[] v6Code) {
        this.codes = codes;
        this.v4Start = v4Start;
        this.v4Code = v4Code;
        this.v6StartHi = v6StartHi;
        this.v6StartLo = v6StartLo;
        this.v6Code = v6Code;
        v4Buckets = new Buckets(v4Start.length, i -> (v4Start[i] ^ Integer.MIN_VALUE) >>> 16);
        v6Buckets = new Buckets(v6StartHi.length, i -> (int) (v6StartHi[i] >>> 48));
    }

    /** Number of ranges with a country. */
    int size() {
        int n = 0;
        for (byte c : v4Code) {
            n += c != 0 ? 1 : 0;
        }
        for (byte c : v6Code) {
            n += c != 0 ? 1 : 0;
        }
        return n;
    }

    /** The ISO 3166-1 alpha-2 code for {@code ip}, or {@code null}. */
    String lookup(IpAddress ip) {
        if (ip.isV4()) {
            int key = ip.v4() ^ Integer.MIN_VALUE;
            int top = ip.v4() >>> 16;
            int from = Math.max(0, v4Buckets.low(top));
            int i = Arrays.binarySearch(v4Start, from, v4Buckets.high(top) + 1, key);
            if (i < 0) {
                i = -i - 2;
            }
            return i < 0 || v4Code[i] == 0 ? null : codes[v4Code[i] & 0xFF];
        }
        long hi = ip.hi();
        long lo = ip.lo();
        int top = (int) (hi >>> 48);
        int low = Math.max(0, v6Buckets.low(top));
        int high = v6Buckets.high(top);
        int found = v6Buckets.low(top);
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int c = Long.compareUnsigned(v6StartHi[mid], hi);
            if (c < 0 || (c == 0 && Long.compareUnsigned(v6StartLo[mid], lo) <= 0)) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found < 0 || v6Code[found] == 0 ? null : codes[v6Code[found] & 0xFF];
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeByte(codes.length);
        for (int i = 1; i < codes.length; i++) {
            out.writeUTF(codes[i]);
        }
        out.writeInt(v4Start.length);
        long previous = 0;
        for (int s : v4Start) {
            long v = (s ^ Integer.MIN_VALUE) & 0xFFFF_FFFFL;
            writeVarLong(out, v - previous);
            previous = v;
        }
        out.write(v4Code);
        out.writeInt(v6StartHi.length);
        long prevHi = 0;
        for (int i = 0; i < v6StartHi.length; i++) {
            writeVarLong(out, v6StartHi[i] - prevHi); // non-decreasing: the difference is unsigned
            writeVarLong(out, v6StartLo[i]);
            prevHi = v6StartHi[i];
        }
        out.write(v6Code);
    }

    static CountryTable read(DataInputStream in) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()); // decoded from memory: no per-byte stream calls
        try {
            if (b.getInt() != MAGIC) {
                throw new IOException("not a Gatehouse country table (bad magic)");
            }
            int codeCount = b.get() & 0xFF;
            String[] codes = new String[Math.max(1, codeCount)];
            codes[0] = "";
            for (int i = 1; i < codeCount; i++) {
                byte[] utf = new byte[b.getShort() & 0xFFFF];
                b.get(utf);
                codes[i] = new String(utf, java.nio.charset.StandardCharsets.UTF_8);
            }
            int n4 = b.getInt();
            if (n4 < 0 || n4 > 50_000_000) {
                throw new IOException("corrupt country table header");
            }
            int[] v4 = new int[n4];
            long v = 0;
            for (int i = 0; i < n4; i++) {
                v += readVarLong(b);
                v4[i] = (int) v ^ Integer.MIN_VALUE;
            }
            byte[] c4 = new byte[n4];
            b.get(c4);
            int n6 = b.getInt();
            if (n6 < 0 || n6 > 50_000_000) {
                throw new IOException("corrupt country table header");
            }
            long[] hi = new long[n6];
            long[] lo = new long[n6];
            long h = 0;
            for (int i = 0; i < n6; i++) {
                h += readVarLong(b);
                hi[i] = h;
                lo[i] = readVarLong(b);
            }
            byte[] c6 = new byte[n6];
            b.get(c6);
            for (byte[] cs : List.of(c4, c6)) {
                for (byte c : cs) {
                    if ((c & 0xFF) >= codes.length) {
                        throw new IOException("corrupt country table: country index " + (c & 0xFF));
                    }
                }
            }
            return new CountryTable(codes, v4, c4, hi, lo, c6);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("truncated country table", e);
        }
    }

    private static void writeVarLong(DataOutputStream out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readVarLong(ByteBuffer in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.get() & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("corrupt country table: variable-length number too long");
    }

    /** Collects ranges in file order (sorted by start, not overlapping), per family. */
    static final class Builder {
        private final Map<String, Integer> index = new HashMap<>();
        private final List<String> codes = new ArrayList<>(List.of(""));
        private int[] v4Start = new int[1024];
        private byte[] v4Code = new byte[1024];
        private int v4Size;
        private long v4Next = 0;          // first address after the last range (unsigned 32-bit)
        private long[] v6Hi = new long[1024];
        private long[] v6Lo = new long[1024];
        private byte[] v6Code = new byte[1024];
        private int v6Size;
        private long nextHi;
        private long nextLo;
        private boolean v6Full;
        private int ranges;

        int size() {
            return ranges;
        }

        /** Adds the inclusive range {@code [start, end]} (same family) placed in {@code country}; false when out of order. */
        boolean add(IpAddress start, IpAddress end, String country) {
            byte code = code(country);
            if (start.isV4()) {
                long s = start.v4() & 0xFFFF_FFFFL;
                long e = end.v4() & 0xFFFF_FFFFL;
                if (e < s || v4Size > 0 && s < ((v4Start[v4Size - 1] ^ Integer.MIN_VALUE) & 0xFFFF_FFFFL)) {
                    return false;
                }
                if (s < v4Next) {
                    // a more specific range inside the previous one: it overrides, then the enclosing range resumes
                    byte enclosing = v4Code[v4Size - 1];
                    pushV4(s, code);
                    if (e + 1 < v4Next) {
                        pushV4(e + 1, enclosing);
                    } else {
                        v4Next = e + 1;
                    }
                    ranges++;
                    return true;
                }
                if (s > v4Next) {
                    pushV4(v4Next, (byte) 0);
                }
                pushV4(s, code);
                v4Next = e + 1;
            } else {
                long sHi = start.hi();
                long sLo = start.lo();
                if (v6Full || before(sHi, sLo, nextHi, nextLo) || before(end.hi(), end.lo(), sHi, sLo)) {
                    return false;
                }
                if (sHi != nextHi || sLo != nextLo) {
                    pushV6(nextHi, nextLo, (byte) 0);
                }
                pushV6(sHi, sLo, code);
                nextLo = end.lo() + 1;
                nextHi = end.hi() + (nextLo == 0 ? 1 : 0);
                v6Full = nextHi == 0 && nextLo == 0;
            }
            ranges++;
            return true;
        }

        private static boolean before(long aHi, long aLo, long bHi, long bLo) {
            int c = Long.compareUnsigned(aHi, bHi);
            return c < 0 || (c == 0 && Long.compareUnsigned(aLo, bLo) < 0);
        }

        private byte code(String country) {
            Integer i = index.get(country);
            if (i == null) {
                if (codes.size() == 255) {
                    throw new IllegalStateException("more than 254 country codes");
                }
                i = codes.size();
                codes.add(country);
                index.put(country, i);
            }
            return (byte) (int) i;
        }

        private void pushV4(long start, byte code) {
            if (v4Size > 0 && v4Code[v4Size - 1] == code) {
                return; // adjacent ranges of one country are one range
            }
            if (v4Size > 0 && v4Start[v4Size - 1] == ((int) start ^ Integer.MIN_VALUE)) {
                v4Code[v4Size - 1] = code; // same start: the later (more specific) row wins
                return;
            }
            if (v4Size == v4Start.length) {
                v4Start = Arrays.copyOf(v4Start, v4Size * 2);
                v4Code = Arrays.copyOf(v4Code, v4Size * 2);
            }
            v4Start[v4Size] = (int) start ^ Integer.MIN_VALUE;
            v4Code[v4Size++] = code;
        }

        private void pushV6(long hi, long lo, byte code) {
            if (v6Size > 0 && v6Code[v6Size - 1] == code) {
                return;
            }
            if (v6Size == v6Hi.length) {
                v6Hi = Arrays.copyOf(v6Hi, v6Size * 2);
                v6Lo = Arrays.copyOf(v6Lo, v6Size * 2);
                v6Code = Arrays.copyOf(v6Code, v6Size * 2);
            }
            v6Hi[v6Size] = hi;
            v6Lo[v6Size] = lo;
            v6Code[v6Size++] = code;
        }

        CountryTable build() {
            // close the tables: after the last range, no country
            int n4 = v4Size;
            int[] s4 = Arrays.copyOf(v4Start, n4 + (v4Next <= 0xFFFF_FFFFL && n4 > 0 ? 1 : 0));
            byte[] c4 = Arrays.copyOf(v4Code, s4.length);
            if (s4.length > n4) {
                s4[n4] = (int) v4Next ^ Integer.MIN_VALUE;
                c4[n4] = 0;
            }
            int n6 = v6Size;
            boolean tail = n6 > 0 && !v6Full;
            long[] h6 = Arrays.copyOf(v6Hi, n6 + (tail ? 1 : 0));
            long[] l6 = Arrays.copyOf(v6Lo, h6.length);
            byte[] c6 = Arrays.copyOf(v6Code, h6.length);
            if (tail) {
                h6[n6] = nextHi;
                l6[n6] = nextLo;
            }
            return new CountryTable(codes.toArray(new String[0]), s4, c4, h6, l6, c6);
        }
    }
}
