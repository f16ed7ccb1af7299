package dev.gatehouse.net;

/**
 * Makes text a client wrote (Host, path, User-Agent, header values) safe to put in a log line: control
 * characters (C0, DEL, C1 such as U+009B, which some terminals read as an escape sequence), the
 * backslash and every non-ASCII character are shown as escapes ({@code \n}, {@code \x9b},
 * {@code \u00e9}), and the text is cut to a bounded length, with the number of characters left out.
 *
 * <pre>{@code
 * log.warn("upstream failed for {}", LogSafe.text(request.getHttpURI().getPathQuery()));
 * }</pre>
 */
public final class LogSafe {

    /** The default number of client characters kept. */
    public static final int DEFAULT_MAX_CHARS = 200;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogSafe() {
    }

    /** {@code text} escaped and cut to {@value #DEFAULT_MAX_CHARS} characters; {@code "null"} for null. */
    public static String text(Object text) {
        return text(text, DEFAULT_MAX_CHARS);
    }

    /** {@code text} escaped, keeping at most {@code maxChars} of its characters. */
    public static String text(Object text, int maxChars) {
        if (text == null) {
            return "null";
        }
        String s = text.toString();
        int keep = Math.min(s.length(), Math.max(0, maxChars));
        if (keep == s.length() && isPlain(s)) {
            return s;
        }
        StringBuilder out = new StringBuilder(keep + 16);
        for (int i = 0; i < keep; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                out.append(c);
            } else if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c <= 0xFF) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
            }
        }
        if (keep < s.length()) {
            out.append("...(").append(s.length() - keep).append(" more chars)");
        }
        return out.toString();
    }

    private static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
