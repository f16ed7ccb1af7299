package dev.gatehouse.text;

/**
 * Keeps an error message that quotes a file (a policy, {@code gatehouse.yaml}) on one line: control
 * characters (C0, DEL, C1 such as NEL U+0085) and the Unicode line and paragraph separators are shown as
 * {@code \\u} and four hex digits. Without it a quoted value holding a line break prints as two problems, and can forge a
 * {@code FILE:LINE:COLUMN:} line in a CI log. Unlike {@code net.LogSafe} (for what clients send), the rest
 * of the text, non-ASCII letters included, is left as written: the operator wrote it.
 */
public final class OneLine {

    private OneLine() {
    }

    /** {@code s} with its control characters escaped; {@code s} itself when it has none. */
    public static String of(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
