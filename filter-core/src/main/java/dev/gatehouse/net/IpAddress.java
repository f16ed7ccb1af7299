package dev.gatehouse.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address, parsed strictly from text without ever touching DNS.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:192.0.2.1}) are normalised to IPv4, so one client
 * has one identity whichever socket family it arrived on. The address is held as two longs
 * ({@code hi}, {@code lo}); an IPv4 address sits in the low 32 bits of {@code lo}.
 *
 * <p>Rejected: empty or oversized text, hostnames, zone IDs ({@code fe80::1%eth0}), leading zeros in
 * IPv4 octets ({@code 010.0.0.1}, which some parsers read as octal), fewer or more than four IPv4
 * parts, surrounding white space, and more than four hex digits in an IPv6 group.
 */
public final class IpAddress implements Comparable<IpAddress> {

    /** Longest textual form accepted: a full IPv6 address with an embedded IPv4 tail is 45 characters. */
    static final int MAX_TEXT_LENGTH = 45;

    private final int version;
    private final long hi;
    private final long lo;

    private IpAddress(int version, long hi, long lo) {
        this.version = version;
        this.hi = hi;
        this.lo = lo;
    }

    /** The IPv4 address whose 32 bits are {@code bits}. */
    public static IpAddress ofV4(int bits) {
        return new IpAddress(4, 0L, bits & 0xFFFF_FFFFL);
    }

    /** The IPv6 address with these high and low 64 bits; an IPv4-mapped address becomes IPv4. */
    public static IpAddress ofV6(long hi, long lo) {
        if (hi == 0L && (lo >>> 32) == 0xFFFFL) {
            return ofV4((int) lo);
        }
        return new IpAddress(6, hi, lo);
    }

    /** From raw network-order bytes (4 or 16), e.g. a socket's {@link InetAddress#getAddress()}. */
    public static IpAddress ofBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 4) {
            return ofV4(((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF));
        }
        if (bytes.length == 16) {
            long h = 0;
            long l = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (bytes[i] & 0xFF);
                l = (l << 8) | (bytes[i + 8] & 0xFF);
            }
            return ofV6(h, l);
        }
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
    }

    /** From an already-resolved socket address; never performs a lookup. */
    public static IpAddress of(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (!(address instanceof Inet4Address) && !(address instanceof Inet6Address)) {
            throw new IllegalArgumentException("not an IP address: " + address.getClass().getName());
        }
        return ofBytes(address.getAddress());
    }

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static IpAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String problem = problemWith(text);
        if (problem != null) {
            throw new IllegalArgumentException("invalid IP address '" + printable(text) + "': " + problem);
        }
        return parseValid(text);
    }

    /** Parses an IPv4 or IPv6 literal, or returns {@code null} when the text is not one. */
    public static IpAddress tryParse(String text) {
        if (text == null || problemWith(text) != null) {
            return null;
        }
        return parseValid(text);
    }

    /** Why {@code text} is not an IP literal, or {@code null} when it is one. */
    static String problemWith(String text) {
        if (text.isEmpty()) {
            return "empty";
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            return "longer than " + MAX_TEXT_LENGTH + " characters";
        }
        if (text.indexOf('%') >= 0) {
            return "zone IDs are not accepted";
        }
        if (text.indexOf(':') >= 0) {
            return v6Problem(text);
        }
        return v4Problem(text, 0, text.length());
    }

    private static String v4Problem(String s, int from, int to) {
        int parts = 0;
        int i = from;
        while (true) {
            int start = i;
            int value = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return "IPv4 part with more than 3 digits";
                }
            }
            if (i == start) {
                return i < to ? "unexpected character '" + printable(String.valueOf(s.charAt(i))) + "' at position " + (i + 1)
                        : "IPv4 address needs 4 parts separated by '.'";
            }
            if (i - start > 1 && s.charAt(start) == '0') {
                return "IPv4 part '" + s.substring(start, i) + "' has a leading zero (ambiguous: octal in some parsers)";
            }
            if (value > 255) {
                return "IPv4 part " + value + " is over 255";
            }
            parts++;
            if (i == to) {
                return parts == 4 ? null : "IPv4 address needs 4 parts separated by '.', found " + parts;
            }
            if (s.charAt(i) != '.') {
                return "unexpected character '" + printable(String.valueOf(s.charAt(i))) + "' at position " + (i + 1);
            }
            if (parts == 4) {
                return "IPv4 address has more than 4 parts";
            }
            i++;
        }
    }

    private static String v6Problem(String s) {
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return "'::' may appear only once";
        }
        if (s.contains(":::")) {
            return "':::' is not valid";
        }
        if (s.startsWith(":") && !s.startsWith("::")) {
            return "IPv6 address may not start with a single ':'";
        }
        if (s.endsWith(":") && !s.endsWith("::")) {
            return "IPv6 address may not end with a single ':'";
        }
        int groups = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            if (s.charAt(i) == ':') {
                i++;
                continue;
            }
            int start = i;
            while (i < n && s.charAt(i) != ':') {
                i++;
            }
            String group = s.substring(start, i);
            if (group.indexOf('.') >= 0) {
                if (i != n) {
                    return "embedded IPv4 part must come last";
                }
                String v4 = v4Problem(s, start, n);
                if (v4 != null) {
                    return v4;
                }
                groups += 2;
                continue;
            }
            if (group.length() > 4) {
                return "IPv6 group '" + printable(group) + "' has more than 4 hex digits";
            }
            for (int k = 0; k < group.length(); k++) {
                if (!isAsciiHex(group.charAt(k))) {
                    return "unexpected character '" + printable(String.valueOf(group.charAt(k))) + "' in IPv6 group '"
                            + printable(group) + "'";
                }
            }
            groups++;
        }
        if (doubleColon >= 0 ? groups > 7 : groups != 8) {
            return doubleColon >= 0 ? "IPv6 address has too many groups for '::'"
                    : "IPv6 address needs 8 groups, found " + groups;
        }
        return null;
    }

    private static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static IpAddress parseValid(String s) {
        if (s.indexOf(':') < 0) {
            return ofV4(parseV4Bits(s, 0));
        }
        int[] words = new int[8]; // 16-bit groups
        int doubleColon = s.indexOf("::");
        String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
        String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
        int[] headWords = groupsOf(head);
        int[] tailWords = groupsOf(tail);
        System.arraycopy(headWords, 0, words, 0, headWords.length);
        System.arraycopy(tailWords, 0, words, 8 - tailWords.length, tailWords.length);
        long h = 0;
        long l = 0;
        for (int i = 0; i < 4; i++) {
            h = (h << 16) | words[i];
            l = (l << 16) | words[i + 4];
        }
        return ofV6(h, l);
    }

    private static int[] groupsOf(String part) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] pieces = part.split(":", -1);
        boolean v4Tail = pieces[pieces.length - 1].indexOf('.') >= 0;
        int[] words = new int[pieces.length + (v4Tail ? 1 : 0)];
        for (int i = 0; i < pieces.length; i++) {
            if (i == pieces.length - 1 && v4Tail) {
                int bits = parseV4Bits(pieces[i], 0);
                words[i] = bits >>> 16;
                words[i + 1] = bits & 0xFFFF;
            } else {
                words[i] = Integer.parseInt(pieces[i], 16);
            }
        }
        return words;
    }

    private static int parseV4Bits(String s, int from) {
        int bits = 0;
        int part = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                bits = (bits << 8) | part;
                part = 0;
            } else {
                part = part * 10 + (c - '0');
            }
        }
        return (bits << 8) | part;
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        if (s.length() > 64) {
            b.append("…");
        }
        return b.toString();
    }

    /** 4 or 6. */
    public int version() {
        return version;
    }

    public boolean isV4() {
        return version == 4;
    }

    /** Number of bits: 32 or 128. */
    public int bitLength() {
        return version == 4 ? 32 : 128;
    }

    /** High 64 bits of an IPv6 address; 0 for IPv4. */
    public long hi() {
        return hi;
    }

    /** Low 64 bits of an IPv6 address, or the IPv4 address in the low 32 bits. */
    public long lo() {
        return lo;
    }

    /** The IPv4 address as a 32-bit int. */
    public int v4() {
        if (version != 4) {
            throw new IllegalStateException(this + " is not IPv4");
        }
        return (int) lo;
    }

    /** Bit {@code index} counted from the most significant (0) to the least ({@code bitLength() - 1}). */
    public int bit(int index) {
        if (version == 4) {
            return (int) (lo >>> (31 - index)) & 1;
        }
        return index < 64 ? (int) (hi >>> (63 - index)) & 1 : (int) (lo >>> (127 - index)) & 1;
    }

    /** Network-order bytes: 4 or 16. */
    public byte[] toBytes() {
        if (version == 4) {
            int v = (int) lo;
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[i + 8] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }

    /** Canonical text: dotted quad, or RFC 5952 for IPv6 (lower case, longest zero run as {@code ::}). */
    @Override
    public String toString() {
        if (version == 4) {
            int v = (int) lo;
            return (v >>> 24) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
        }
        int[] w = new int[8];
        for (int i = 0; i < 4; i++) {
            w[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            w[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952 4.2.2: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(w[i]));
        }
        return b.toString();
    }

    /** The reverse-DNS name: {@code 1.66.249.66.in-addr.arpa.} or the nibble form under {@code ip6.arpa.}. */
    public String reverseName() {
        StringBuilder b = new StringBuilder(73);
        if (version == 4) {
            byte[] bytes = toBytes();
            for (int i = 3; i >= 0; i--) {
                b.append(bytes[i] & 0xFF).append('.');
            }
            return b.append("in-addr.arpa.").toString();
        }
        for (int i = 0; i < 32; i++) {
            long word = i < 16 ? lo : hi;
            int shift = (i % 16) * 4;
            b.append(Character.forDigit((int) (word >>> shift) & 0xF, 16)).append('.');
        }
        return b.append("ip6.arpa.").toString();
    }

    @Override
    public int compareTo(IpAddress o) {
        if (version != o.version) {
            return Integer.compare(version, o.version);
        }
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress a && a.version == version && a.hi == hi && a.lo == lo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + lo) * 31 + version;
    }
}
