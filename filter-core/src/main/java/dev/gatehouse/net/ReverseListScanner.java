package dev.gatehouse.net;

import java.util.List;

/**
 * Reads a comma-separated header list (RFC 9110 §5.6.1) backwards: the last element of the last
 * header line first. The resolver walks from the proxy nearest to us towards the client, so reading
 * backwards means it never touches what lies to the left of the address it settles on, however long
 * or broken that part is. Quoted strings (RFC 7239) are skipped as a whole, so a comma inside quotes
 * does not split an element. No element is scanned past {@code maxElementChars}.
 */
final class ReverseListScanner {

    /** One list element, trimmed of optional white space; {@code tooLong} when it ran past the limit. */
    record Element(String text, boolean tooLong) {}

    private final List<String> lines;
    private final int maxElementChars;
    private int line;
    private int end; // exclusive end of the next element in the current line

    ReverseListScanner(List<String> lines, int maxElementChars) {
        this.lines = lines;
        this.maxElementChars = maxElementChars;
        this.line = lines.size() - 1;
        this.end = line >= 0 ? length(line) : 0;
    }

    /** The next element to the left, possibly empty, or {@code null} when every line is used up. */
    Element next() {
        if (line < 0) {
            return null;
        }
        String s = text(line);
        // reaching 'floor' means the element has more than maxElementChars characters
        int floor = Math.max(-1, end - maxElementChars - 2);
        int i = end - 1;
        while (i > floor) {
            char c = s.charAt(i);
            if (c == ',') {
                break;
            }
            if (c == '"') {
                int open = openingQuote(s, i, floor);
                if (open == floor) {
                    i = floor;
                    break;
                }
                i = open;
            }
            i--;
        }
        if (end - i - 1 > maxElementChars) { // also at the start of a line, where floor is -1
            line = -1; // the walk stops at an element that is too long; nothing left of it is read
            return new Element(s.substring(floor + 1, end), true);
        }
        Element element = new Element(strip(s, i + 1, end), false);
        if (i >= 0) {
            end = i; // at the comma: the next element ends there
        } else {
            line--;
            end = line >= 0 ? length(line) : 0;
        }
        return element;
    }

    /**
     * The index of the quote that opens the quoted string closed at {@code close}: the nearest quote to
     * the left not escaped by an odd run of backslashes. Returns {@code floor} when there is none
     * within the limit (an unterminated string is then read as part of a malformed element).
     */
    private static int openingQuote(String s, int close, int floor) {
        for (int k = close - 1; k > floor; k--) {
            if (s.charAt(k) != '"') {
                continue;
            }
            int backslashes = 0;
            for (int b = k - 1; b > floor && s.charAt(b) == '\\'; b--) {
                backslashes++;
            }
            if (backslashes % 2 == 0) {
                return k;
            }
            k -= backslashes;
        }
        return floor;
    }

    private static String strip(String s, int from, int to) {
        while (from < to && isOws(s.charAt(from))) {
            from++;
        }
        while (to > from && isOws(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    private String text(int index) {
        String s = lines.get(index);
        return s == null ? "" : s;
    }

    private int length(int index) {
        return text(index).length();
    }
}
