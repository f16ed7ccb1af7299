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
        if (fastV4(text, negative)) {
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
        return prefixes.size() + asn.size();
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
}
