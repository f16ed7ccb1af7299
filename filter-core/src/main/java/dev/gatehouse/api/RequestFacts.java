package dev.gatehouse.api;

import dev.gatehouse.net.IpAddress;
import dev.gatehouse.net.LogSafe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What an adapter knows about a request: the client address after trusted-proxy resolution, the
 * socket peer, and the request line and headers. Immutable; header names are case-insensitive.
 */
public final class RequestFacts {

    private final IpAddress clientIp;
    private final IpAddress peerIp;
    private final String method;
    private final String host;
    private final String path;
    private final Map<String, List<String>> headers; // keys lower-case, immutable

    private RequestFacts(Builder b) {
        this.clientIp = Objects.requireNonNull(b.clientIp, "clientIp");
        this.peerIp = b.peerIp == null ? b.clientIp : b.peerIp;
        this.method = b.method;
        this.host = b.host;
        this.path = b.path;
        // one copy: the builder's value lists are already immutable
        this.headers = Map.copyOf(b.headers);
    }

    public static Builder builder(IpAddress clientIp) {
        return new Builder(clientIp);
    }

    /** Facts for a bare address lookup (no request): {@code GET /}. */
    public static RequestFacts forIp(IpAddress clientIp) {
        return builder(clientIp).build();
    }

    public IpAddress clientIp() {
        return clientIp;
    }

    public IpAddress peerIp() {
        return peerIp;
    }

    public String method() {
        return method;
    }

    /** Host without port, lower-case; empty when the request had none. */
    public String host() {
        return host;
    }

    /** The path, without the query string. */
    public String path() {
        return path;
    }

    /** The first value of a header, or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** All headers, names in lower case, in no particular order. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The User-Agent, or an empty string. */
    public String userAgent() {
        String ua = header("user-agent");
        return ua == null ? "" : ua;
    }

    private static List<String> concat(List<String> first, List<String> more) {
        List<String> all = new ArrayList<>(first.size() + more.size());
        all.addAll(first);
        all.addAll(more);
        return List.copyOf(all);
    }

    /** For logs: the client's method, host and path are escaped and shortened ({@link LogSafe}). */
    @Override
    public String toString() {
        return "RequestFacts[" + clientIp + " " + LogSafe.text(method, 16) + " " + LogSafe.text(host, 100) + LogSafe.text(path) + "]";
    }

    /** Builds request facts; headers may be added one value at a time. */
    public static final class Builder {
        private final IpAddress clientIp;
        private IpAddress peerIp;
        private String method = "GET";
        private String host = "";
        private String path = "/";
        private final Map<String, List<String>> headers = new HashMap<>();

        private Builder(IpAddress clientIp) {
            this.clientIp = Objects.requireNonNull(clientIp, "clientIp");
        }

        public Builder peerIp(IpAddress peerIp) {
            this.peerIp = peerIp;
            return this;
        }

        public Builder method(String method) {
            this.method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
            return this;
        }

        public Builder host(String host) {
            this.host = normaliseHost(host);
            return this;
        }

        public Builder path(String path) {
            this.path = path == null || path.isEmpty() ? "/" : path;
            return this;
        }

        public Builder header(String name, String value) {
            if (name != null && value != null) {
                // immutable value lists, so build() copies only the map; a repeated header (rare) copies its list
                headers.merge(name.toLowerCase(Locale.ROOT), List.of(value), RequestFacts::concat);
            }
            return this;
        }

        public Builder userAgent(String userAgent) {
            return header("user-agent", userAgent);
        }

        public RequestFacts build() {
            return new RequestFacts(this);
        }

        private static String normaliseHost(String host) {
            if (host == null) {
                return "";
            }
            String h = host.trim().toLowerCase(Locale.ROOT);
            if (h.startsWith("[")) {
                int end = h.indexOf(']');
                return end > 0 ? h.substring(0, end + 1) : h;
            }
            int colon = h.indexOf(':');
            return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.substring(0, colon) : h;
        }
    }
}
