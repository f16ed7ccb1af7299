package dev.gatehouse.engine.embedded;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * Tor exits: the Onionoo export ({@code fingerprint, ipaddr, port} CSV with a header) or a plain list
 * of addresses such as {@code https://check.torproject.org/torbulkexitlist}. The format is recognised
 * from the first non-blank line, so an operator can point the {@code tor} URL at either.
 */
final class TorListParser {

    private TorListParser() {
    }

    static void parse(BufferedReader in, ParseSink sink) throws IOException {
        String raw;
        int line = 0;
        Boolean csv = null;
        while ((raw = in.readLine()) != null) {
            line++;
            String text = TextListParser.clean(raw);
            if (text.isEmpty()) {
                continue;
            }
            if (csv == null) {
                csv = text.toLowerCase(java.util.Locale.ROOT).startsWith("fingerprint");
                if (csv) {
                    continue;
                }
            }
            if (csv) {
                String[] cells = text.split(",", -1);
                if (cells.length < 2) {
                    sink.problem(line, "expected 'fingerprint, ipaddr, port', found " + cells.length + " column(s)");
                    continue;
                }
                sink.address(unbracket(cells[1].strip()), line);
            } else {
                sink.address(text, line);
            }
        }
    }

    /** Onionoo writes IPv6 OR addresses in brackets in some exports. */
    private static String unbracket(String s) {
        return s.length() > 2 && s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']' ? s.substring(1, s.length() - 1) : s;
    }
}
