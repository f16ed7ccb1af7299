package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.IpAddress;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * IP-to-ASN ranges ({@code @ip-location-db/asn} layout): {@code start,end,asn,org} without a header,
 * inclusive ranges sorted by start, the organisation quoted when it contains commas. IPv4 and IPv6
 * rows may share a file. Hand-rolled (no CSV library): the IPv4 file has ~412,000 rows and is read at
 * every start.
 */
final class AsnCsvParser {

    private AsnCsvParser() {
    }

    static void parse(BufferedReader in, ParseSink sink) throws IOException {
        String row;
        int line = 0;
        while ((row = in.readLine()) != null) {
            line++;
            if (row.isBlank()) {
                continue;
            }
            int c1 = row.indexOf(',');
            int c2 = c1 < 0 ? -1 : row.indexOf(',', c1 + 1);
            int c3 = c2 < 0 ? -1 : row.indexOf(',', c2 + 1);
            if (c3 < 0) {
                sink.problem(line, "expected 'start,end,asn,organisation'");
                continue;
            }
            int asn = parseAsn(row, c2 + 1, c3);
            if (asn < 0) {
                sink.problem(line, "AS number '" + row.substring(c2 + 1, c3) + "' is not a number in 0.." + Integer.MAX_VALUE);
                continue;
            }
            String org = unquote(row, c3 + 1);
            if (org == null) {
                sink.problem(line, "unterminated quoted organisation");
                continue;
            }
            String problem;
            if (isV4(row, 0, c1) && isV4(row, c1 + 1, c2)) {
                long s = parseV4Long(row, 0, c1);
                long e = parseV4Long(row, c1 + 1, c2);
                if (s < 0 || e < 0) {
                    sink.problem(line, "invalid IPv4 range '" + row.substring(0, c2) + "'");
                    continue;
                }
                problem = sink.asn.addV4((int) s, (int) e, asn, org);
            } else {
                IpAddress s = IpAddress.tryParse(row.substring(0, c1));
                IpAddress e = IpAddress.tryParse(row.substring(c1 + 1, c2));
                if (s == null || e == null || s.version() != e.version()) {
                    sink.problem(line, "invalid range '" + row.substring(0, c2) + "'");
                    continue;
                }
                problem = s.isV4() ? sink.asn.addV4(s.v4(), e.v4(), asn, org) : sink.asn.addV6(s, e, asn, org);
            }
            if (problem != null) {
                sink.problem(line, problem);
            }
        }
    }

    private static boolean isV4(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == ':') {
                return false;
            }
        }
        return true;
    }

    /** Dotted quad to 0..2^32-1, or -1 when malformed (leading zeros and out-of-range parts included). */
    static long parseV4Long(String s, int from, int to) {
        long bits = 0;
        int parts = 0;
        int i = from;
        while (i < to) {
            int start = i;
            int part = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                part = part * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || part > 255 || (i - start > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            bits = (bits << 8) | part;
            parts++;
            if (i < to) {
                if (s.charAt(i) != '.' || parts == 4) {
                    return -1;
                }
                i++;
                if (i == to) {
                    return -1;
                }
            }
        }
        return parts == 4 ? bits : -1;
    }

    private static int parseAsn(String s, int from, int to) {
        if (from >= to || to - from > 10) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /** The organisation cell: plain to the end of the row, or quoted with doubled quotes; {@code null} if a quote is unterminated. */
    private static String unquote(String s, int from) {
        if (from >= s.length() || s.charAt(from) != '"') {
            return s.substring(from).strip();
        }
        StringBuilder b = new StringBuilder(s.length() - from);
        for (int i = from + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    b.append('"');
                    i++;
                } else {
                    return b.toString();
                }
            } else {
                b.append(c);
            }
        }
        return null;
    }
}
