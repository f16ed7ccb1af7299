package dev.gatehouse.engine.embedded;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * One CIDR or address per line: the merged provider lists, X4BNet, ProtonVPN, iCloud Private Relay,
 * plain Tor exit lists ({@code torbulkexitlist}). Blank lines and comments ({@code #}, {@code ;},
 * {@code //}, whole-line or trailing) are skipped; a byte-order mark, zero-width characters and
 * non-breaking spaces (found in vendor files such as Bing's) are removed before parsing.
 */
final class TextListParser {

    private TextListParser() {
    }

    static void parse(BufferedReader in, ParseSink sink) throws IOException {
        String raw;
        int line = 0;
        while ((raw = in.readLine()) != null) {
            line++;
            String text = clean(raw);
            if (!text.isEmpty()) {
                sink.prefix(text, line);
            }
        }
    }

    /** The line without junk characters, comments and surrounding white space. */
    static String clean(String raw) {
        StringBuilder b = null;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (isJunk(c)) {
                if (b == null) {
                    b = new StringBuilder(raw.length()).append(raw, 0, i);
                }
            } else if (b != null) {
                b.append(c);
            }
        }
        String s = b == null ? raw : b.toString();
        int cut = s.length();
        for (String marker : new String[] {"#", ";", "//"}) {
            int at = s.indexOf(marker);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        return s.substring(0, cut).strip();
    }

    private static boolean isJunk(char c) {
        return c == '\uFEFF' || (c >= '\u200B' && c <= '\u200F') || c == '\u2060' || c == '\u00A0';
    }
}
