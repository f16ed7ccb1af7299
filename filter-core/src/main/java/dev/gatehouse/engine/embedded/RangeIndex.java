package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.IpAddress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every range data set folded into one index per address family: the address space is cut into
 * disjoint intervals, each pointing to an interned {@link Facts}. A lookup is one binary search over a
 * primitive array (IPv4: {@code int[]}; IPv6: two {@code long[]}) and allocates nothing.
 *
 * <p>Built with a single sweep over the prefixes sorted by start then length: CIDR prefixes are either
 * nested or disjoint, so a stack of open prefixes gives, for every interval, the chain of prefixes that
 * contain it, and the facts of the chain are layered from the shortest prefix to the longest.
 */
final class RangeIndex {

    private final int[] v4Starts;   // sign-flipped so signed order is address order
    private final int[] v4Facts;
    private final long[] v6StartHi;
    private final long[] v6StartLo;
    private final int[] v6Facts;
    private final Facts[] facts;
    private final Buckets v4Buckets;
    private final Buckets v6Buckets;

    private RangeIndex(int[] v4Starts, int[] v4Facts, long[] v6StartHi, long[] v6StartLo, int[] v6Facts, Facts[] facts) {
        this.v4Starts = v4Starts;
        this.v4Facts = v4Facts;
        this.v6StartHi = v6StartHi;
        this.v6StartLo = v6StartLo;
        this.v6Facts = v6Facts;
        this.facts = facts;
        this.v4Buckets = new Buckets(v4Starts.length, i -> (v4Starts[i] ^ Integer.MIN_VALUE) >>> 16);
        this.v6Buckets = new Buckets(v6StartHi.length, i -> (int) (v6StartHi[i] >>> 48));
    }

    /** The facts for {@code ip}; {@link Facts#EMPTY} when no data set lists it. */
    Facts lookup(IpAddress ip) {
        if (ip.isV4()) {
            int top = ip.v4() >>> 16;
            int from = Math.max(0, v4Buckets.low(top)); // index 0 starts at 0.0.0.0, so a floor always exists
            int i = Arrays.binarySearch(v4Starts, from, v4Buckets.high(top) + 1, ip.v4() ^ Integer.MIN_VALUE);
            return facts[v4Facts[i >= 0 ? i : -i - 2]];
        }
        int top = (int) (ip.hi() >>> 48);
        return facts[v6Facts[floorV6(ip.hi(), ip.lo(), Math.max(0, v6Buckets.low(top)), v6Buckets.high(top))]];
    }

    private int floorV6(long hi, long lo, int low, int high) {
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            int c = Long.compareUnsigned(v6StartHi[mid], hi);
            if (c == 0) {
                c = Long.compareUnsigned(v6StartLo[mid], lo);
            }
            if (c <= 0) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    int intervalCount() {
        return v4Starts.length + v6StartHi.length;
    }

    int distinctFacts() {
        return facts.length;
    }

    long footprintBytes() {
        return 8L * v4Starts.length + 20L * v6StartHi.length;
    }

    /** Collects prefix lists with the facts each entry contributes, then builds the index. */
    static final class Builder {
        private final List<Entry> v4 = new ArrayList<>();
        private final List<Entry> v6 = new ArrayList<>();
        private final Map<Facts, Integer> interned = new HashMap<>();
        private final List<Facts> table = new ArrayList<>();

        Builder() {
            intern(Facts.EMPTY);
        }

        /**
         * Adds every prefix of {@code list}; {@code rank} orders data sets that list the same prefix
         * (lower = more authoritative, applied last).
         */
        Builder add(Prefixes list, Facts positive, Facts negative, int rank) {
            for (int i = 0; i < list.size(); i++) {
                Facts f = list.isNegative(i) ? negative : positive;
                (list.isV6(i) ? v6 : v4).add(new Entry(list.hi(i), list.lo(i), list.length(i), rank, f));
            }
            return this;
        }

        Builder add(long hi, long lo, int length, boolean v6, Facts f, int rank) {
            (v6 ? this.v6 : v4).add(new Entry(hi, lo, length, rank, f));
            return this;
        }

        RangeIndex build() {
            Emitted e4 = sweep(v4, false);
            Emitted e6 = sweep(v6, true);
            int[] starts4 = new int[e4.size];
            for (int i = 0; i < e4.size; i++) {
                starts4[i] = (int) e4.lo[i] ^ Integer.MIN_VALUE;
            }
            return new RangeIndex(starts4, Arrays.copyOf(e4.facts, e4.size), Arrays.copyOf(e6.hi, e6.size),
                    Arrays.copyOf(e6.lo, e6.size), Arrays.copyOf(e6.facts, e6.size), table.toArray(new Facts[0]));
        }

        private int intern(Facts f) {
            Integer id = interned.get(f);
            if (id == null) {
                id = table.size();
                interned.put(f, id);
                table.add(f);
            }
            return id;
        }

        private Emitted sweep(List<Entry> entries, boolean v6) {
            sort(entries, v6);
            Emitted out = new Emitted();
            out.emit(0L, 0L, 0);
            Deque stack = new Deque();
            int i = 0;
            while (i < entries.size()) {
                Entry first = entries.get(i);
                Facts own = Facts.EMPTY;
                int j = i;
                for (; j < entries.size() && entries.get(j).samePrefix(first); j++) {
                    own = Facts.overlay(own, entries.get(j).facts);
                }
                i = j;
                while (stack.size > 0 && after(first.hi, first.lo, stack.endHi(), stack.endLo())) {
                    closeTop(stack, out, v6);
                }
                Facts layered = Facts.overlay(stack.size > 0 ? stack.facts() : Facts.EMPTY, own);
                long endHi = v6 ? endHi(first.hi, first.length) : 0L;
                long endLo = v6 ? endLo(first.lo, first.length) : first.lo | ((1L << (32 - first.length)) - 1);
                stack.push(endHi, endLo, layered);
                out.emit(first.hi, first.lo, intern(layered.resolved()));
            }
            while (stack.size > 0) {
                closeTop(stack, out, v6);
            }
            return out;
        }

        /**
         * Sorts in {@link Entry#ORDER}. IPv4 entries (the bulk) are sorted as packed primitive keys:
         * address, length, inverted rank and the entry's position fit one long, and a primitive sort
         * costs a fraction of a comparator sort over objects when the JVM is still cold.
         */
        private static void sort(List<Entry> entries, boolean v6) {
            int n = entries.size();
            if (v6 || n >= 1 << 20) {
                entries.sort(Entry.ORDER);
                return;
            }
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                Entry e = entries.get(i);
                long rank = 7 - Math.min(7, Math.max(0, e.rank));
                keys[i] = (e.lo << 29) | ((long) e.length << 23) | (rank << 20) | i;
            }
            java.util.Arrays.sort(keys);
            Entry[] sorted = new Entry[n];
            for (int i = 0; i < n; i++) {
                sorted[i] = entries.get((int) (keys[i] & 0xF_FFFF));
            }
            for (int i = 0; i < n; i++) {
                entries.set(i, sorted[i]);
            }
        }

        /** Ends the innermost open prefix: from the address after it, its parent's facts apply again. */
        private void closeTop(Deque stack, Emitted out, boolean v6) {
            long endHi = stack.endHi();
            long endLo = stack.endLo();
            stack.pop();
            boolean lastAddress = v6 ? endHi == -1L && endLo == -1L : endLo == 0xFFFF_FFFFL;
            if (lastAddress) {
                return;
            }
            long nextLo = endLo + 1;
            long nextHi = v6 && nextLo == 0 ? endHi + 1 : endHi;
            out.emit(nextHi, nextLo, intern((stack.size > 0 ? stack.facts() : Facts.EMPTY).resolved()));
        }

        /** Whether address (hi, lo) lies after (endHi, endLo). */
        private static boolean after(long hi, long lo, long endHi, long endLo) {
            int c = Long.compareUnsigned(hi, endHi);
            return c > 0 || (c == 0 && Long.compareUnsigned(lo, endLo) > 0);
        }

        private static long endHi(long hi, int length) {
            return length >= 64 ? hi : hi | (length == 0 ? -1L : -1L >>> length);
        }

        private static long endLo(long lo, int length) {
            return length <= 64 ? -1L : length == 128 ? lo : lo | (-1L >>> (length - 64));
        }
    }

    private record Entry(long hi, long lo, int length, int rank, Facts facts) {
        /** Address order, then shorter prefixes first, then less authoritative data sets first. */
        static final java.util.Comparator<Entry> ORDER = (a, b) -> {
            int c = Long.compareUnsigned(a.hi, b.hi);
            if (c == 0) {
                c = Long.compareUnsigned(a.lo, b.lo);
            }
            if (c == 0) {
                c = Integer.compare(a.length, b.length);
            }
            return c != 0 ? c : Integer.compare(b.rank, a.rank);
        };

        boolean samePrefix(Entry o) {
            return hi == o.hi && lo == o.lo && length == o.length;
        }
    }

    /** Interval starts with their facts ids, consecutive equal answers merged. */
    private static final class Emitted {
        long[] hi = new long[1024];
        long[] lo = new long[1024];
        int[] facts = new int[1024];
        int size;

        void emit(long h, long l, int f) {
            if (size > 0 && hi[size - 1] == h && lo[size - 1] == l) {
                size--; // a prefix starting where its parent starts: the inner answer replaces the outer one
            }
            if (size > 0 && facts[size - 1] == f) {
                return;
            }
            if (size == hi.length) {
                hi = Arrays.copyOf(hi, size * 2);
                lo = Arrays.copyOf(lo, size * 2);
                facts = Arrays.copyOf(facts, size * 2);
            }
            hi[size] = h;
            lo[size] = l;
            facts[size] = f;
            size++;
        }
    }

    /** The open prefixes, innermost on top. */
    private static final class Deque {
        private long[] endHi = new long[130];
        private long[] endLo = new long[130];
        private Facts[] facts = new Facts[130];
        int size;

        void push(long h, long l, Facts f) {
            endHi[size] = h;
            endLo[size] = l;
            facts[size] = f;
            size++;
        }

        void pop() {
            facts[--size] = null;
        }

        long endHi() {
            return endHi[size - 1];
        }

        long endLo() {
            return endLo[size - 1];
        }

        Facts facts() {
            return facts[size - 1];
        }
    }
}
