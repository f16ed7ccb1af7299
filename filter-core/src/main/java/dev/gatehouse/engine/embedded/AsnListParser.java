package dev.gatehouse.engine.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Locale;

/**
 * AS-number lists in the X4BNet {@code input/vpn/ASN.txt}, {@code input/datacenter/ASN.txt} layout: {@code AS<number> # comment} per line.
 * The comment names the network; its label becomes the provider name ({@link #label}).
 */
final class AsnListParser {

    private AsnListParser() {
    }

    static void parse(BufferedReader in, ParseSink sink, boolean vpn) throws IOException {
        String row;
        int line = 0;
        while ((row = in.readLine()) != null) {
            line++;
            String s = row.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            int hash = s.indexOf('#');
            String number = (hash < 0 ? s : s.substring(0, hash)).strip();
            if (number.regionMatches(true, 0, "AS", 0, 2)) {
                number = number.substring(2);
            }
            int asn;
            try {
                asn = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                sink.problem(line, "'" + number + "' is not an AS number");
                continue;
            }
            sink.asnLabels.put(asn, label(hash < 0 ? "" : s.substring(hash + 1), vpn));
        }
    }

    /**
     * A short lower-case name from the comment: for VPN lists the first word naming a VPN brand
     * ({@code M247, GB (NordVPN)} → {@code nordvpn}), else the first word ({@code VOXILITY, RO} → {@code voxility},
     * {@code Privado VPN} → {@code privado});
     * empty when there is no comment.
     */
    static String label(String comment, boolean vpn) {
        String[] words = comment.strip().split("[\\s,()/]+");
        if (vpn) {
            for (String w : words) {
                String c = clean(w);
                if (c.contains("vpn") && c.length() > 3) { // "NordVPN", not the bare word "VPN"
                    return c;
                }
            }
        }
        for (String w : words) {
            String c = clean(w);
            if (!c.isEmpty()) {
                return c;
            }
        }
        return "";
    }

    private static String clean(String word) {
        return word.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "").replaceAll("^[._-]+|[._-]+$", "");
    }
}
