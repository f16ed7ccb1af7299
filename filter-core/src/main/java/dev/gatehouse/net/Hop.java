package dev.gatehouse.net;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * One hop named in a forwarding header: an address, or why it is not one. Parsing is strict about
 * what it returns as an address and never resolves names.
 */
record Hop(Kind kind, IpAddress address, String text) {

    enum Kind {
        ADDRESS("an address"),
        UNKNOWN("'unknown'"),
        OBFUSCATED("an obfuscated identifier"),
        NO_FOR("an element without for="),
        MALFORMED("not an IP address"),
        TOO_LONG("too long");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    static Hop of(Kind kind, String text) {
        return new Hop(kind, null, text);
    }

    /**
     * One {@code X-Forwarded-For} entry: an IPv4 or IPv6 literal, {@code a.b.c.d:port},
     * {@code [v6]} or {@code [v6]:port} (written by some proxies), or {@code unknown}.
     */
    static Hop fromXForwardedFor(String entry) {
        if (entry.equalsIgnoreCase("unknown")) {
            return of(Kind.UNKNOWN, entry);
        }
        if (entry.startsWith("[")) {
            return bracketed(entry, false);
        }
        int colon = entry.indexOf(':');
        if (colon >= 0 && entry.indexOf(':', colon + 1) < 0) { // one colon: IPv4 with a port
            return v4WithPort(entry, colon, false);
        }
        return address(entry, IpAddress.tryParse(entry));
    }

    /**
     * One RFC 7239 {@code Forwarded} element, e.g. {@code for=192.0.2.60;proto=http;by=203.0.113.43}
     * or {@code For="[2001:db8:cafe::17]:4711"}. Parameter names are case-insensitive; a parameter
     * given twice makes the element malformed (RFC 7239 §4). Values may be tokens or quoted strings;
     * unquoted IPv6 and ports are tolerated although the RFC asks for quotes.
     */
    static Hop fromForwardedElement(String element) {
        String forValue = null;
        Set<String> names = new HashSet<>(4);
        int i = 0;
        int n = element.length();
        while (i < n) {
            i = skipOws(element, i);
            if (i < n && element.charAt(i) == ';') { // an empty pair is allowed by the grammar
                i++;
                continue;
            }
            if (i == n) {
                break;
            }
            int nameStart = i;
            while (i < n && isTokenChar(element.charAt(i))) {
                i++;
            }
            if (i == nameStart || i == n || element.charAt(i) != '=') {
                return of(Kind.MALFORMED, element);
            }
            String name = element.substring(nameStart, i).toLowerCase(Locale.ROOT);
            i++;
            String value;
            if (i < n && element.charAt(i) == '"') {
                StringBuilder unquoted = new StringBuilder();
                i++;
                while (i < n && element.charAt(i) != '"') {
                    if (element.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    unquoted.append(element.charAt(i++));
                }
                if (i == n) {
                    return of(Kind.MALFORMED, element); // unterminated quoted string
                }
                i++;
                value = unquoted.toString();
            } else {
                int valueStart = i;
                while (i < n && element.charAt(i) != ';' && element.charAt(i) != '"' && !isOws(element.charAt(i))) {
                    i++;
                }
                value = element.substring(valueStart, i);
            }
            i = skipOws(element, i);
            if (i < n && element.charAt(i) != ';') {
                return of(Kind.MALFORMED, element);
            }
            if (!names.add(name)) {
                return of(Kind.MALFORMED, element);
            }
            if (name.equals("for")) {
                forValue = value;
            }
        }
        return forValue == null ? of(Kind.NO_FOR, element) : fromForwardedNode(forValue);
    }

    /** An RFC 7239 §6 node: IPv4 or {@code [IPv6]}, optional {@code :port} or obfuscated port, {@code unknown}, {@code _obf}. */
    static Hop fromForwardedNode(String node) {
        if (node.equalsIgnoreCase("unknown")) {
            return of(Kind.UNKNOWN, node);
        }
        if (node.startsWith("_")) {
            return isObfuscated(node) ? of(Kind.OBFUSCATED, node) : of(Kind.MALFORMED, node);
        }
        if (node.startsWith("[")) {
            return bracketed(node, true);
        }
        int colon = node.indexOf(':');
        if (colon < 0) {
            IpAddress a = IpAddress.tryParse(node);
            return address(node, a);
        }
        if (node.indexOf(':', colon + 1) >= 0) {
            return of(Kind.MALFORMED, node); // IPv6 must be in brackets here: "2001:db8::1:80" is ambiguous
        }
        return v4WithPort(node, colon, true);
    }

    private static Hop bracketed(String text, boolean obfuscatedPortAllowed) {
        int close = text.indexOf(']');
        if (close < 0) {
            return of(Kind.MALFORMED, text);
        }
        String inner = text.substring(1, close);
        IpAddress a = inner.indexOf(':') >= 0 ? IpAddress.tryParse(inner) : null; // brackets hold IPv6 only
        if (a == null) {
            return of(Kind.MALFORMED, text);
        }
        String rest = text.substring(close + 1);
        if (!rest.isEmpty() && !(rest.charAt(0) == ':' && isPort(rest.substring(1), obfuscatedPortAllowed))) {
            return of(Kind.MALFORMED, text);
        }
        return new Hop(Kind.ADDRESS, a, text);
    }

    private static Hop v4WithPort(String text, int colon, boolean obfuscatedPortAllowed) {
        if (!isPort(text.substring(colon + 1), obfuscatedPortAllowed)) {
            return of(Kind.MALFORMED, text);
        }
        IpAddress a = IpAddress.tryParse(text.substring(0, colon));
        return address(text, a);
    }

    private static Hop address(String text, IpAddress a) {
        return a == null ? of(Kind.MALFORMED, text) : new Hop(Kind.ADDRESS, a, text);
    }

    private static boolean isPort(String s, boolean obfuscatedAllowed) {
        if (obfuscatedAllowed && s.startsWith("_")) {
            return isObfuscated(s);
        }
        if (s.isEmpty() || s.length() > 5) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(s) <= 65535;
    }

    /** RFC 7239 §6.3: {@code "_" 1*(ALPHA / DIGIT / "." / "_" / "-")}. */
    private static boolean isObfuscated(String s) {
        if (s.length() < 2 || s.charAt(0) != '_') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    private static int skipOws(String s, int i) {
        while (i < s.length() && isOws(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
