package dev.gatehouse.engine.embedded;

/**
 * A first-level jump table over a sorted array of range starts, keyed by the top 16 bits of the
 * address: {@code first[t]} is the first index whose start has top bits {@code >= t}. It narrows each
 * binary search from the whole table (~19 steps over 400,000 ranges, most of them cache misses) to the
 * few ranges of one /16, for 256 kB per table.
 */
final class Buckets {

    private final int[] first = new int[65537];

    /** {@code top16[i]} = the top 16 bits (unsigned) of the i-th start, non-decreasing. */
    Buckets(int size, java.util.function.IntUnaryOperator top16) {
        int i = 0;
        for (int t = 0; t <= 65536; t++) {
            while (i < size && top16.applyAsInt(i) < t) {
                i++;
            }
            first[t] = i;
        }
    }

    /** The lowest index the floor of an address with these top bits can have (-1 when none). */
    int low(int top) {
        return first[top] - 1;
    }

    /** The highest index the floor of an address with these top bits can have. */
    int high(int top) {
        return first[top + 1] - 1;
    }
}
