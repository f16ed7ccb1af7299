package dev.gatehouse.net;


import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A listen or server address written as {@code HOST:PORT}: an IP literal ({@code [::1]:9090} for IPv6)
 * or {@code localhost}. Names other than {@code localhost} are refused, so reading a config never
 * depends on DNS.
 */
public record HostPort(IpAddress host, int port) {

    public HostPort {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
    }

    /**
     * Parses {@code HOST:PORT}; when {@code defaultPort} is not negative the port may be left out.
     *
     * @throws IllegalArgumentException naming the text and what is wrong
     */
    public static HostPort parse(String text, int defaultPort) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected HOST:PORT, got nothing");
        }
        String t = text.trim();
        String hostText;
        String portText;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("expected [IPv6]:PORT, got '" + text + "'");
            }
            hostText = t.substring(1, close);
            String rest = t.substring(close + 1);
            portText = rest.isEmpty() ? null : rest.startsWith(":") ? rest.substring(1) : bad(text);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon >= 0 && t.indexOf(':') != colon) {
                // Bare IPv6 without brackets: no port can be told apart.
                hostText = t;
                portText = null;
            } else if (colon >= 0) {
                hostText = t.substring(0, colon);
                portText = t.substring(colon + 1);
            } else {
                hostText = t;
                portText = null;
            }
        }
        int port;
        if (portText == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "' (no port)");
            }
            port = defaultPort;
        } else {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "' (port '" + portText + "' is not a number)");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535 in '" + text + "'");
            }
        }
        IpAddress host;
        if (hostText.isEmpty() || hostText.equalsIgnoreCase("localhost")) {
            host = IpAddress.parse("127.0.0.1");
        } else if (hostText.equals("*")) {
            host = IpAddress.parse("0.0.0.0");
        } else {
            host = IpAddress.tryParse(hostText);
            if (host == null) {
                throw new IllegalArgumentException("host in '" + text + "' must be an IP address or localhost, not '" + hostText + "'");
            }
        }
        return new HostPort(host, port);
    }

    private static String bad(String text) {
        throw new IllegalArgumentException("expected [IPv6]:PORT, got '" + text + "'");
    }

    /** A socket address, built from the literal without any lookup. */
    public InetSocketAddress toSocketAddress() {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(host.toBytes()), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an IP literal always has 4 or 16 bytes", e);
        }
    }

    @Override
    public String toString() {
        return host.isV4() ? host + ":" + port : "[" + host + "]:" + port;
    }
}
