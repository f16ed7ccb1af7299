package dev.gatehouse.net;

import java.util.List;
import java.util.Objects;

/**
 * Finds the real client address of a request from the socket peer and the forwarding headers.
 *
 * <h2>The rule</h2>
 * <ol>
 *   <li>If the socket peer is not a {@linkplain TrustedProxies trusted proxy}, the peer is the client
 *       and both headers are ignored: anyone can write them.</li>
 *   <li>Otherwise the honoured header ({@link ForwardedHeaders}; {@code X-Forwarded-For} by default)
 *       is read as one list: all its header lines joined in arrival order, then split on commas (RFC
 *       7239 {@code Forwarded} elements are split outside quoted strings). Empty elements are skipped.</li>
 *   <li>The list is walked from right to left, starting next to the peer. Each address that is a
 *       trusted proxy is skipped; the first address that is not trusted is the client.</li>
 *   <li>If every hop is trusted, the leftmost hop is the client.</li>
 *   <li>If the walk meets an entry it cannot use before finding an untrusted address (garbage, a
 *       hostname, {@code unknown}, an obfuscated {@code _identifier}, a {@code Forwarded} element
 *       without {@code for=}, an {@code X-Forwarded-For} entry over 100 characters or a
 *       {@code Forwarded} element over 512), it stops there and the client is the <em>last trusted
 *       address seen</em>: the nearest trusted hop to the right of that entry, or the peer itself.</li>
 *   <li>At most {@link Builder#maxHops(int) maxHops} list elements (32 by default) are examined; if
 *       that many are all trusted, the last one examined is the client.</li>
 * </ol>
 *
 * <h2>Why stop at an unusable entry instead of skipping it</h2>
 * Everything to the left of an entry that a trusted proxy wrote was, at that point, reported by a
 * party we could no longer verify. Skipping the entry would let whoever wrote the text on its left
 * choose our client address; taking the last trusted address instead can only ever name one of our
 * own proxies, never an address of an attacker's choosing. The request is then judged as coming from
 * that proxy, which is conservative: it is visible in {@link Resolution#reason()} and in logs.
 * Reading right to left also means that junk a client prepends (however long) is never even read when
 * a proxy appended the real address after it, so a flood header costs at most
 * {@code maxHops} short elements of work.
 *
 * <pre>{@code
 * ClientIpResolver resolver = ClientIpResolver.builder()
 *         .trustedProxies(TrustedProxies.parse(List.of("10.0.0.0/8")))
 *         .headers(ForwardedHeaders.X_FORWARDED_FOR)
 *         .build();
 * resolver.resolve(IpAddress.parse("10.0.0.5"), List.of("198.51.100.7, 203.0.113.9, 10.0.0.2"), List.of());
 * // 203.0.113.9: 10.0.0.2 is our proxy, 203.0.113.9 is not, 198.51.100.7 is not reached
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ClientIpResolver {

    /** The default limit on list elements examined per request. */
    public static final int DEFAULT_MAX_HOPS = 32;
    /** The longest single list element read; longer ones are unusable (an address with a port is far shorter). */
    static final int MAX_ELEMENT_CHARS = 100;
    /** A {@code Forwarded} element may carry {@code by}, {@code host} and {@code proto} besides {@code for}. */
    static final int MAX_FORWARDED_ELEMENT_CHARS = 512;

    static final String X_FORWARDED_FOR = "X-Forwarded-For";
    static final String FORWARDED = "Forwarded";

    /** Why the resolver chose the address it did. */
    public enum Reason {
        /** The socket peer is not a trusted proxy; the headers were ignored. */
        UNTRUSTED_PEER,
        /** The peer is trusted but sent no usable forwarding header; the peer is the client. */
        NO_HEADER,
        /** The first address from the right that is not a trusted proxy. */
        FIRST_UNTRUSTED_HOP,
        /** Every hop was trusted; the leftmost is the client. */
        ALL_HOPS_TRUSTED,
        /** The walk met an unusable entry; the client is the last trusted address seen. */
        UNUSABLE_HOP,
        /** The hop limit was reached with every hop trusted; the last one examined is the client. */
        HOP_LIMIT
    }

    /**
     * The chosen client address and how it was chosen.
     *
     * @param clientIp the client address
     * @param reason   why this address
     * @param header   {@code X-Forwarded-For}, {@code Forwarded}, or {@code null} when no header was read
     * @param hop      which list element decided, counted from the right starting at 1; 0 for the peer
     * @param detail   one line for logs and the explain header
     */
    public record Resolution(IpAddress clientIp, Reason reason, String header, int hop, String detail) {
        public Resolution {
            Objects.requireNonNull(clientIp, "clientIp");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    private final TrustedProxies trusted;
    private final ForwardedHeaders headers;
    private final int maxHops;

    private ClientIpResolver(TrustedProxies trusted, ForwardedHeaders headers, int maxHops) {
        this.trusted = trusted;
        this.headers = headers;
        this.maxHops = maxHops;
    }

    /** A resolver that honours {@code X-Forwarded-For} from these proxies. */
    public static ClientIpResolver trusting(TrustedProxies trusted) {
        return builder().trustedProxies(trusted).build();
    }

    /** A resolver that trusts nobody: the client is always the socket peer. */
    public static ClientIpResolver direct() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The client address.
     *
     * @param peer            the socket peer address
     * @param xForwardedFor   every {@code X-Forwarded-For} header value, in arrival order
     * @param forwarded       every {@code Forwarded} (RFC 7239) header value, in arrival order
     */
    public IpAddress resolve(IpAddress peer, List<String> xForwardedFor, List<String> forwarded) {
        return resolve(peer, xForwardedFor, forwarded, false).clientIp();
    }

    /** Like {@link #resolve} but says which header and hop decided, and why. */
    public Resolution resolveExplained(IpAddress peer, List<String> xForwardedFor, List<String> forwarded) {
        return resolve(peer, xForwardedFor, forwarded, true);
    }

    /** {@code explain}: build the detail line; without it the detail is empty (it runs on every request, unread). */
    private Resolution resolve(IpAddress peer, List<String> xForwardedFor, List<String> forwarded, boolean explain) {
        Objects.requireNonNull(peer, "peer");
        if (!trusted.isTrusted(peer)) {
            return new Resolution(peer, Reason.UNTRUSTED_PEER, null, 0,
                    explain ? "peer " + peer + " is not a trusted proxy; headers ignored" : "");
        }
        List<String> xff = xForwardedFor == null ? List.of() : xForwardedFor;
        List<String> fwd = forwarded == null ? List.of() : forwarded;
        boolean useForwarded = switch (headers) {
            case FORWARDED -> true;
            case X_FORWARDED_FOR -> false;
            case BOTH -> hasContent(fwd);
        };
        return useForwarded ? walk(peer, FORWARDED, fwd, MAX_FORWARDED_ELEMENT_CHARS, explain)
                : walk(peer, X_FORWARDED_FOR, xff, MAX_ELEMENT_CHARS, explain);
    }

    private Resolution walk(IpAddress peer, String header, List<String> lines, int maxElementChars, boolean explain) {
        ReverseListScanner scanner = new ReverseListScanner(lines, maxElementChars);
        IpAddress lastTrusted = peer;
        int lastTrustedHop = 0;
        int examined = 0;
        for (ReverseListScanner.Element e = scanner.next(); e != null; e = scanner.next()) {
            if (e.text().isEmpty() && !e.tooLong()) {
                continue; // RFC 9110 §5.6.1: empty list elements are ignored
            }
            if (examined == maxHops) {
                return new Resolution(lastTrusted, Reason.HOP_LIMIT, header, lastTrustedHop,
                        explain ? "stopped after " + maxHops + " trusted hops in " + header + "; using " + lastTrusted : "");
            }
            examined++;
            Hop hop = e.tooLong() ? Hop.of(Hop.Kind.TOO_LONG, e.text()) : parse(header, e.text());
            if (hop.kind() != Hop.Kind.ADDRESS) {
                return new Resolution(lastTrusted, Reason.UNUSABLE_HOP, header, lastTrustedHop,
                        explain ? header + " hop " + examined + " '" + IpAddress.printable(hop.text()) + "' is "
                                + hop.kind().description + "; using the last trusted address " + lastTrusted : "");
            }
            if (!trusted.isTrusted(hop.address())) {
                return new Resolution(hop.address(), Reason.FIRST_UNTRUSTED_HOP, header, examined,
                        explain ? header + " hop " + examined + " is the first untrusted address" : "");
            }
            lastTrusted = hop.address();
            lastTrustedHop = examined;
        }
        if (examined == 0) {
            return new Resolution(peer, Reason.NO_HEADER, null, 0, explain ? "trusted peer " + peer + " sent no " + header : "");
        }
        return new Resolution(lastTrusted, Reason.ALL_HOPS_TRUSTED, header, lastTrustedHop,
                explain ? "every " + header + " hop is a trusted proxy; using the leftmost" : "");
    }

    private static Hop parse(String header, String element) {
        return FORWARDED.equals(header) ? Hop.fromForwardedElement(element) : Hop.fromXForwardedFor(element);
    }

    private static boolean hasContent(List<String> lines) {
        for (String line : lines) {
            if (line != null && !line.isBlank()) {
                return true;
            }
        }
        return false;
    }

    public TrustedProxies trustedProxies() {
        return trusted;
    }

    public ForwardedHeaders headers() {
        return headers;
    }

    public int maxHops() {
        return maxHops;
    }

    @Override
    public String toString() {
        return "ClientIpResolver[" + trusted + ", " + headers + ", maxHops=" + maxHops + "]";
    }

    /** Configures a {@link ClientIpResolver}; every setting is checked when it is made. */
    public static final class Builder {
        private TrustedProxies trusted = TrustedProxies.none();
        private ForwardedHeaders headers = ForwardedHeaders.X_FORWARDED_FOR;
        private int maxHops = DEFAULT_MAX_HOPS;

        private Builder() {
        }

        /** The proxies whose forwarding headers are believed (default: none). */
        public Builder trustedProxies(TrustedProxies trusted) {
            this.trusted = Objects.requireNonNull(trusted, "trustedProxies");
            return this;
        }

        /** Which header(s) to honour (default {@link ForwardedHeaders#X_FORWARDED_FOR}). */
        public Builder headers(ForwardedHeaders headers) {
            this.headers = Objects.requireNonNull(headers, "headers");
            return this;
        }

        /** The most list elements examined per request, 1..1024 (default 32). */
        public Builder maxHops(int maxHops) {
            if (maxHops < 1 || maxHops > 1024) {
                throw new IllegalArgumentException("maxHops must be in 1..1024, was " + maxHops);
            }
            this.maxHops = maxHops;
            return this;
        }

        public ClientIpResolver build() {
            return new ClientIpResolver(trusted, headers, maxHops);
        }
    }
}
