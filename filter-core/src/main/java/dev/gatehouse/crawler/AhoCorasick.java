package dev.gatehouse.crawler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A multi-string matcher over lower-case ASCII keys: one pass over the text finds every key that occurs
 * in it, whatever the number of keys. Built once as a dense automaton (a transition table per state over
 * the few distinct characters the keys use), so a step is one array read and a scan allocates nothing.
 *
 * <p>The text is lower-cased on the fly (ASCII only, so positions stay aligned with the original);
 * characters no key uses move the automaton back to its root.
 */
final class AhoCorasick {

    /** Receives the index of every key found and the text position just after it. */
    @FunctionalInterface
    interface Hits {
        void hit(int key, int end);
    }

    private final byte[] charClass = new byte[128]; // ASCII char -> alphabet index, 0 = not used by any key
    private final int alphabet;
    private final char[] delta;    // state * alphabet + class -> next state (states fit in 16 bits)
    private final int[] outStart;  // keys ending at state s: outKeys[outStart[s] .. outStart[s + 1]) (suffix links included)
    private final int[] outKeys;

    AhoCorasick(List<String> keys) {
        int classes = 1;
        for (String key : keys) {
            if (key.isEmpty()) {
                throw new IllegalArgumentException("empty key");
            }
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c >= 128 || Character.isUpperCase(c)) {
                    throw new IllegalArgumentException("keys must be lower-case ASCII: '" + key + "'");
                }
                if (charClass[c] == 0) {
                    charClass[c] = (byte) classes++;
                }
            }
        }
        if (classes > 127) {
            throw new IllegalArgumentException("too many distinct characters in keys: " + classes);
        }
        this.alphabet = classes;
        // trie
        List<int[]> children = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        children.add(new int[alphabet]);
        out.add(new ArrayList<>());
        for (int k = 0; k < keys.size(); k++) {
            String key = keys.get(k);
            int node = 0;
            for (int i = 0; i < key.length(); i++) {
                int cls = charClass[key.charAt(i)];
                int next = children.get(node)[cls];
                if (next == 0) {
                    next = children.size();
                    children.add(new int[alphabet]);
                    out.add(new ArrayList<>());
                    children.get(node)[cls] = next;
                }
                node = next;
            }
            out.get(node).add(k);
        }
        int states = children.size();
        if (states > Character.MAX_VALUE) {
            throw new IllegalArgumentException("too many automaton states for a char table: " + states);
        }
        // Number states breadth-first: the shallow states, where a scan spends most steps, share cache lines.
        int[] newId = new int[states];
        int[] oldOf = new int[states];
        int counter = 1;
        for (int n = 0; n < counter; n++) {
            int[] kids = children.get(oldOf[n]);
            for (int c = 1; c < alphabet; c++) {
                if (kids[c] != 0) {
                    newId[kids[c]] = counter;
                    oldOf[counter++] = kids[c];
                }
            }
        }
        int[] fail = new int[states];
        delta = new char[states * alphabet];
        int[][] outputs = new int[states][];
        outputs[0] = new int[0];
        // in breadth-first order, complete the transition function with failure links (classic construction)
        for (int n = 0; n < states; n++) {
            if (n > 0) {
                List<Integer> own = out.get(oldOf[n]);
                int[] inherited = outputs[fail[n]];
                int[] merged = Arrays.copyOf(inherited, inherited.length + own.size());
                for (int i = 0; i < own.size(); i++) {
                    merged[inherited.length + i] = own.get(i);
                }
                outputs[n] = merged;
            }
            int[] kids = children.get(oldOf[n]);
            for (int c = 1; c < alphabet; c++) {
                int child = kids[c] == 0 ? 0 : newId[kids[c]];
                if (child != 0) {
                    fail[child] = n == 0 ? 0 : delta[fail[n] * alphabet + c];
                    delta[n * alphabet + c] = (char) child;
                } else {
                    delta[n * alphabet + c] = n == 0 ? 0 : delta[fail[n] * alphabet + c];
                }
            }
        }
        // flat output arrays: the scan reads two adjacent ints per step instead of chasing an array per state
        outStart = new int[states + 1];
        for (int n = 0; n < states; n++) {
            outStart[n + 1] = outStart[n] + outputs[n].length;
        }
        outKeys = new int[outStart[states]];
        for (int n = 0; n < states; n++) {
            System.arraycopy(outputs[n], 0, outKeys, outStart[n], outputs[n].length);
        }
    }

    /** Reports every key occurring in {@code text} (compared lower-cased), in order of end position. */
    void scan(String text, int length, Hits hits) {
        final byte[] classes = charClass;
        final char[] table = delta;
        final int[] starts = outStart;
        final int width = alphabet;
        int state = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            // class 0 (a character no key uses) has an all-zero column: back to the root
            int cls = c < 128 ? classes[c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c] : 0;
            state = table[state * width + cls];
            int o = starts[state];
            int end = starts[state + 1];
            for (; o < end; o++) {
                hits.hit(outKeys[o], i + 1);
            }
        }
    }

    int states() {
        return outStart.length - 1;
    }

    /** Approximate bytes of the transition table, for reports. */
    long footprintBytes() {
        return 2L * delta.length;
    }
}
