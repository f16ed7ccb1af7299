package dev.gatehouse.engine.embedded;

import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Where a parser puts what it reads from one data set: prefixes or ASN ranges, bad lines, the data's date. */
final class ParseSink {

    final Prefixes prefixes = new Prefixes();
    final AsnTable.Builder asn = new AsnTable.Builder();
    final CountryTable.Builder country = new CountryTable.Builder();
    final java.util.Map<Integer, String> asnLabels = new java.util.HashMap<>();
    final List<LoadReport.Problem> problems = new ArrayList<>();
    int badLines;
    Instant dataAsOf;
    String file;

    ParseSink file(String name) {
        this.file = name;
        return this;
    }

    void problem(int line, String message) {
        badLines++;
        if (problems.size() < LoadReport.MAX_PROBLEMS) {
            problems.add(new LoadReport.Problem(file, line, message));
        }
    }

    /** Parses a CIDR or bare address; vendor data with host bits set is accepted (host bits cleared). */
    void prefix(String text, int line) {
        prefix(text, line, false);
    }

    void prefix(String text, int line, boolean negative) {
        if (fastV4(text, negative) || fastV6(text, negative)) {
            return;
        }
        try {
            Cidr cidr = Cidr.parseLenient(text);
            if (cidr.version() == 4 && text.indexOf(':') >= 0) {
                problem(line, "IPv4-mapped prefix '" + text + "' ignored: list the IPv4 prefix instead");
                return;
            }
            prefixes.add(cidr, negative);
        } catch (IllegalArgumentException e) {
            problem(line, e.getMessage());
        }
    }

    void address(String text, int line) {
        IpAddress ip = IpAddress.tryParse(text);
        if (ip == null) {
            prefix(text, line); // reports why
        } else {
            prefixes.add(Cidr.of(ip, ip.bitLength()));
        }
    }

    int entries() {
        return prefixes.size() + asn.size() + country.size() + asnLabels.size();
    }

    /**
     * Most list lines are plain {@code a.b.c.d/n}: parse them without building IpAddress and Cidr
     * objects (about half the cost of loading the lists). Anything unusual goes the strict way.
     */
    private boolean fastV4(String text, boolean negative) {
        int slash = text.indexOf('/');
        int end = slash < 0 ? text.length() : slash;
        long bits = AsnCsvParser.parseV4Long(text, 0, end);
        if (bits < 0) {
            return false;
        }
        int length = 32;
        if (slash >= 0) {
            int n = text.length() - slash - 1;
            if (n < 1 || n > 2) {
                return false;
            }
            length = 0;
            for (int i = slash + 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
                length = length * 10 + (c - '0');
            }
            if (length > 32 || (n == 2 && text.charAt(slash + 1) == '0')) {
                return false;
            }
        }
        int mask = length == 0 ? 0 : -1 << (32 - length);
        prefixes.addV4((int) bits & mask, length, negative);
        return true;
    }

    /**
     * Plain IPv6 prefixes ({@code 2600:1f14::/35}): hex groups and at most one {@code ::}, no embedded
     * IPv4, no zone. Anything else, or anything odd, goes the strict way (which also explains errors).
     */
    private boolean fastV6(String text, boolean negative) {
        int slash = text.indexOf('/');
        int end = slash < 0 ? text.length() : slash;
        if (end < 2 || end > 39 || text.indexOf(':') < 0) {
            return false;
        }
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        if (text.startsWith("::")) {
            gap = 0;
            i = 2;
        }
        while (i < end) {
            int value = 0;
            int digits = 0;
            while (i < end && digits <= 4) {
                int d = Character.digit(text.charAt(i), 16);
                if (d < 0) {
                    break;
                }
                value = (value << 4) | d;
                digits++;
                i++;
            }
            if (digits == 0 || digits > 4 || count == 8) {
                return false;
            }
            groups[count++] = value;
            if (i == end) {
                break;
            }
            if (text.charAt(i) != ':') {
                return false;
            }
            i++;
            if (i < end && text.charAt(i) == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = count;
                i++;
            } else if (i == end) {
                return false;
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            return false;
        }
        long hi = 0;
        long lo = 0;
        int zeros = 8 - count;
        for (int g = 0, k = 0; g < 8; g++) {
            int v = gap >= 0 && g >= gap && g < gap + zeros ? 0 : groups[k++];
            if (g < 4) {
                hi = (hi << 16) | v;
            } else {
                lo = (lo << 16) | v;
            }
        }
        if (hi == 0 && (lo >>> 32) == 0xFFFFL) {
            return false; // IPv4-mapped: the strict path reports it
        }
        int length = 128;
        if (slash >= 0) {
            int n = text.length() - slash - 1;
            if (n < 1 || n > 3 || (n > 1 && text.charAt(slash + 1) == '0')) {
                return false;
            }
            length = 0;
            for (int k = slash + 1; k < text.length(); k++) {
                char c = text.charAt(k);
                if (c < '0' || c > '9') {
                    return false;
                }
                length = length * 10 + (c - '0');
            }
            if (length > 128) {
                return false;
            }
        }
        long hiMask = length >= 64 ? -1L : length == 0 ? 0L : -1L << (64 - length);
        long loMask = length <= 64 ? 0L : length == 128 ? -1L : -1L << (128 - length);
        prefixes.addV6(hi & hiMask, lo & loMask, length, negative);
        return true;
    }
}
