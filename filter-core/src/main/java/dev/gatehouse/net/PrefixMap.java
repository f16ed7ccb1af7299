package dev.gatehouse.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BinaryOperator;

/**
 * An immutable longest-prefix-match map from IP prefixes to values, one binary trie per address
 * family held in flat int arrays (no node objects), so a lookup is at most 32 or 128 array steps and
 * allocates nothing.
 *
 * <pre>{@code
 * PrefixMap<String> clouds = PrefixMap.<String>builder()
 *         .put(Cidr.parse("3.0.0.0/9"), "aws")
 *         .put(Cidr.parse("3.5.140.0/22"), "aws-s3")
 *         .build();
 * clouds.longestMatch(IpAddress.parse("3.5.140.7"));   // "aws-s3"
 * }</pre>
 *
 * @param <V> the value type; values are stored once and shared by reference
 */
public final class PrefixMap<V> {

    private final Trie v4;
    private final Trie v6;
    private final Object[] values;
    private final int size;

    private PrefixMap(Trie v4, Trie v6, Object[] values, int size) {
        this.v4 = v4;
        this.v6 = v6;
        this.values = values;
        this.size = size;
    }

    public static <V> Builder<V> builder() {
        return new Builder<>();
    }

    @SuppressWarnings("unchecked")
    public static <V> PrefixMap<V> empty() {
        return (PrefixMap<V>) Builder.EMPTY;
    }

    /** The value of the longest prefix that contains {@code address}, or {@code null}. */
    @SuppressWarnings("unchecked")
    public V longestMatch(IpAddress address) {
        int index = (address.isV4() ? v4 : v6).longest(address);
        return index < 0 ? null : (V) values[index];
    }

    /** Whether any prefix contains {@code address}. */
    public boolean containsAddress(IpAddress address) {
        return (address.isV4() ? v4 : v6).longest(address) >= 0;
    }

    /** Every value whose prefix contains {@code address}, shortest prefix first. */
    @SuppressWarnings("unchecked")
    public List<V> allMatches(IpAddress address) {
        List<V> out = new ArrayList<>(2);
        (address.isV4() ? v4 : v6).all(address, i -> out.add((V) values[i]));
        return out;
    }

    /** Number of prefixes stored. */
    public int size() {
        return size;
    }

    /** Visits every stored prefix with its value, IPv4 first, in address order. */
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<Cidr, V> action) {
        v4.walk(false, (cidr, i) -> action.accept(cidr, (V) values[i]));
        v6.walk(true, (cidr, i) -> action.accept(cidr, (V) values[i]));
    }

    /** Approximate bytes held by the trie arrays (values not included), for reports. */
    public long footprintBytes() {
        return 12L * (v4.nodes + v6.nodes) + 4L * values.length;
    }

    /** Collects prefixes; a prefix put twice keeps the merged value. Not thread-safe. */
    public static final class Builder<V> {
        static final PrefixMap<Object> EMPTY = new Builder<>().build();

        private final Trie v4 = new Trie(32);
        private final Trie v6 = new Trie(128);
        private final List<V> values = new ArrayList<>();
        private int size;

        private Builder() {
        }

        /** Maps {@code cidr} to {@code value}, replacing a value already there. */
        public Builder<V> put(Cidr cidr, V value) {
            return merge(cidr, value, (old, neu) -> neu);
        }

        /** Maps {@code cidr} to {@code value}, or to {@code merger(old, value)} when it is already mapped. */
        @SuppressWarnings("unchecked")
        public Builder<V> merge(Cidr cidr, V value, BinaryOperator<V> merger) {
            Objects.requireNonNull(cidr, "cidr");
            Objects.requireNonNull(value, "value");
            Trie trie = cidr.version() == 4 ? v4 : v6;
            int node = trie.insertPath(cidr);
            int existing = trie.value[node];
            if (existing < 0) {
                trie.value[node] = values.size();
                values.add(value);
                size++;
            } else {
                values.set(existing, Objects.requireNonNull(merger.apply(values.get(existing), value), "merged value"));
            }
            return this;
        }

        /** The value already mapped to exactly {@code cidr}, or {@code null}. */
        public V get(Cidr cidr) {
            Trie trie = cidr.version() == 4 ? v4 : v6;
            int node = trie.find(cidr);
            return node < 0 || trie.value[node] < 0 ? null : values.get(trie.value[node]);
        }

        public PrefixMap<V> build() {
            return new PrefixMap<>(v4.trimmed(), v6.trimmed(), values.toArray(), size);
        }
    }

    /** A binary trie in parallel arrays: node 0 is the root; -1 means no child / no value. */
    private static final class Trie {
        private final int bits;
        private int[] zero;
        private int[] one;
        private int[] value;
        private int nodes;

        Trie(int bits) {
            this.bits = bits;
            zero = new int[16];
            one = new int[16];
            value = new int[16];
            nodes = 1;
            zero[0] = one[0] = value[0] = -1;
        }

        private Trie(int bits, int[] zero, int[] one, int[] value, int nodes) {
            this.bits = bits;
            this.zero = zero;
            this.one = one;
            this.value = value;
            this.nodes = nodes;
        }

        Trie trimmed() {
            return new Trie(bits, Arrays.copyOf(zero, nodes), Arrays.copyOf(one, nodes), Arrays.copyOf(value, nodes), nodes);
        }

        int insertPath(Cidr cidr) {
            IpAddress a = cidr.network();
            int node = 0;
            for (int i = 0; i < cidr.prefixLength(); i++) {
                boolean zeroBit = a.bit(i) == 0;
                int child = (zeroBit ? zero : one)[node];
                if (child < 0) {
                    child = newNode(); // may grow the arrays: read them again below
                    (zeroBit ? zero : one)[node] = child;
                }
                node = child;
            }
            return node;
        }

        int find(Cidr cidr) {
            IpAddress a = cidr.network();
            int node = 0;
            for (int i = 0; i < cidr.prefixLength() && node >= 0; i++) {
                node = (a.bit(i) == 0 ? zero : one)[node];
            }
            return node;
        }

        private int newNode() {
            if (nodes == zero.length) {
                int cap = nodes * 2;
                zero = Arrays.copyOf(zero, cap);
                one = Arrays.copyOf(one, cap);
                value = Arrays.copyOf(value, cap);
            }
            zero[nodes] = one[nodes] = value[nodes] = -1;
            return nodes++;
        }

        int longest(IpAddress a) {
            int node = 0;
            int best = value[0];
            if (bits == 32) {
                int v = a.v4();
                for (int i = 31; i >= 0 && node >= 0; i--) {
                    node = ((v >>> i) & 1) == 0 ? zero[node] : one[node];
                    if (node >= 0 && value[node] >= 0) {
                        best = value[node];
                    }
                }
                return best;
            }
            long word = a.hi();
            for (int i = 0; i < 128 && node >= 0; i++) {
                if (i == 64) {
                    word = a.lo();
                }
                node = ((word >>> (63 - (i & 63))) & 1) == 0 ? zero[node] : one[node];
                if (node >= 0 && value[node] >= 0) {
                    best = value[node];
                }
            }
            return best;
        }

        void all(IpAddress a, java.util.function.IntConsumer sink) {
            int node = 0;
            for (int i = 0; node >= 0; i++) {
                if (value[node] >= 0) {
                    sink.accept(value[node]);
                }
                if (i == bits) {
                    break;
                }
                node = (a.bit(i) == 0 ? zero : one)[node];
            }
        }

        void walk(boolean v6, BiConsumer<Cidr, Integer> sink) {
            walk(0, 0, 0L, 0L, v6, sink);
        }

        private void walk(int node, int depth, long hi, long lo, boolean v6, BiConsumer<Cidr, Integer> sink) {
            if (value[node] >= 0) {
                IpAddress network = v6 ? IpAddress.ofV6(hi, lo) : IpAddress.ofV4((int) lo);
                sink.accept(Cidr.of(network, depth), value[node]);
            }
            for (int bit = 0; bit <= 1; bit++) {
                int child = (bit == 0 ? zero : one)[node];
                if (child < 0) {
                    continue;
                }
                long h = hi;
                long l = lo;
                if (!v6) {
                    l |= (long) bit << (31 - depth);
                } else if (depth < 64) {
                    h |= (long) bit << (63 - depth);
                } else {
                    l |= (long) bit << (127 - depth);
                }
                walk(child, depth + 1, h, l, v6, sink);
            }
        }
    }
}
