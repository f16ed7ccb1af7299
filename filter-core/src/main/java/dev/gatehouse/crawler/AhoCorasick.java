package dev.gatehouse.crawler;

import java.util.ArrayDeque;
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
    private final int[] delta;     // state * alphabet + class -> next state
    private final int[][] outputs; // keys ending at each state (including those reached by suffix links)

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
        int[] fail = new int[states];
        delta = new int[states * alphabet];
        outputs = new int[states][];
        // breadth-first: complete the transition function with failure links (classic construction)
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int c = 1; c < alphabet; c++) {
            int child = children.get(0)[c];
            delta[c] = child;
            if (child != 0) {
                fail[child] = 0;
                queue.add(child);
            }
        }
        outputs[0] = new int[0];
        while (!queue.isEmpty()) {
            int node = queue.poll();
            List<Integer> own = out.get(node);
            int[] inherited = outputs[fail[node]];
            int[] merged = Arrays.copyOf(inherited, inherited.length + own.size());
            for (int i = 0; i < own.size(); i++) {
                merged[inherited.length + i] = own.get(i);
            }
            outputs[node] = merged;
            for (int c = 1; c < alphabet; c++) {
                int child = children.get(node)[c];
                if (child != 0) {
                    fail[child] = delta[fail[node] * alphabet + c];
                    delta[node * alphabet + c] = child;
                    queue.add(child);
                } else {
                    delta[node * alphabet + c] = delta[fail[node] * alphabet + c];
                }
            }
        }
    }

    /** Reports every key occurring in {@code text} (compared lower-cased), in order of end position. */
    void scan(CharSequence text, int length, Hits hits) {
        int state = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            int cls = 0;
            if (c < 128) {
                cls = charClass[c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c];
            }
            state = cls == 0 ? 0 : delta[state * alphabet + cls];
            int[] found = outputs[state];
            for (int k : found) {
                hits.hit(k, i + 1);
            }
        }
    }

    int states() {
        return outputs.length;
    }

    /** Approximate bytes of the transition table, for reports. */
    long footprintBytes() {
        return 4L * delta.length;
    }
}
