package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.IpAddress;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Locale;

/**
 * IP-to-country ranges ({@code @ip-location-db/geo-whois-asn-country} layout): {@code start,end,CC}
 * without a header, inclusive ranges sorted by start, one address family per file (or IPv4 rows before
 * IPv6 rows). {@code CC} is an ISO 3166-1 alpha-2 code.
 */
final class CountryCsvParser {

    private CountryCsvParser() {
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
            if (c2 < 0) {
                sink.problem(line, "expected 'start,end,country'");
                continue;
            }
            String code = row.substring(c2 + 1).strip().toUpperCase(Locale.ROOT);
            if (code.length() != 2 || !Character.isLetter(code.charAt(0)) || !Character.isLetter(code.charAt(1))) {
                sink.problem(line, "country '" + code + "' is not a two-letter code");
                continue;
            }
            IpAddress start;
            IpAddress end;
            try {
                start = IpAddress.parse(row.substring(0, c1).strip());
                end = IpAddress.parse(row.substring(c1 + 1, c2).strip());
            } catch (IllegalArgumentException e) {
                sink.problem(line, e.getMessage());
                continue;
            }
            if (start.isV4() != end.isV4() || !sink.country.add(start, end, code)) {
                sink.problem(line, "range " + start + "-" + end + " is out of order, overlaps or mixes families");
            }
        }
    }
}
